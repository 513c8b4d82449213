/**
 * Relays outbox rows to Kafka, at least once: rows are read in order, sent
 * with acks from all in-sync replicas, and deleted only after Kafka has them.
 * Wakes on NOTIFY, and polls as a fallback. Replicas take turns: one relay
 * at a time holds a transaction-level advisory lock and sends (two sending
 * neighbouring batches at once would reorder a key's events); the others
 * stand by and take over when it stops.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Kafka, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { kafkaClientConfig, type KafkaSettings } from '../kafka/kafka.config';
import { Metrics } from '../metrics/metrics';
import { outboxBacklogProbe } from '../metrics/outbox-backlog.probe';
import { OUTBOX_CHANNEL } from './outbox.writer';

export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');

export interface OutboxRelaySettings {
  kafka: KafkaSettings;
  databaseUrl: string;
  pollIntervalMs?: number;
  batchSize?: number;
}

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  /** The envelope as PostgreSQL prints the jsonb: sent as it is (see drain). */
  envelope: string;
  headers: Record<string, string>;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private producer: Producer | undefined;
  private listener: Client | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pending = false;
  private relayedTotal = 0;
  private readonly metrics = Metrics.forProcess();
  private stopBacklogProbe: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: OutboxRelaySettings,
  ) {}

  get relayed(): number {
    return this.relayedTotal;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.producer = new Kafka(kafkaClientConfig({ ...this.settings.kafka, clientId: `${this.settings.kafka.clientId}-outbox` })).producer({
      // Ordered (one request in flight); duplicates on retry are fine, consumers are idempotent.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    this.stopBacklogProbe = this.metrics.onScrape(outboxBacklogProbe(this.dataSource, this.metrics));
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopBacklogProbe?.();
    this.wake?.();
    await this.loop;
    // Events committed by the last in-flight requests go out before we leave.
    await this.drain().catch((err: unknown) => this.logger.warn(`final drain failed, rows stay for the next relay: ${String(err)}`));
    await this.listener?.end().catch(() => undefined);
    await this.producer?.disconnect();
  }

  /** Relays everything currently in the outbox; returns how many events went out. */
  async drain(): Promise<number> {
    let total = 0;
    const batchSize = this.settings.batchSize ?? 500;
    for (;;) {
      const sent = await this.dataSource.transaction(async (manager) => {
        const [turn]: { mine: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('sigil-outbox-relay')) AS mine`);
        if (!turn?.mine) return 0; // another replica is relaying; its NOTIFY wake-up covers these rows
        // The envelope as text: pg would JSON.parse each one (an object graph per event) only for us to
        // JSON.stringify it back. jsonb prints `": "` and `", "`; every consumer parses the value, so that
        // spacing is the only difference on Kafka.
        const rows: OutboxRow[] = await manager.query(
          `SELECT seq, topic, key, envelope::text AS envelope, headers FROM outbox_events ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batchSize],
        );
        if (!rows.length) return 0;
        const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
        for (const row of rows) {
          const list = byTopic.get(row.topic) ?? [];
          list.push({ key: row.key, value: row.envelope, headers: row.headers });
          byTopic.set(row.topic, list);
        }
        await this.producer!.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        await manager.query(`DELETE FROM outbox_events WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
        return rows.length;
      });
      total += sent;
      if (sent < batchSize) break;
    }
    this.relayedTotal += total;
    this.metrics.outboxRelayed.inc(total);
    return total;
  }

  private async run(): Promise<void> {
    const pollMs = this.settings.pollIntervalMs ?? 1000;
    let backoff = 100;
    while (this.running) {
      this.pending = false;
      try {
        await this.drain();
        backoff = 100;
      } catch (err) {
        this.logger.error(`relay failed, retrying in ${backoff} ms: ${String(err)}`);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        continue;
      }
      if (!this.pending) await this.sleep(pollMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.pending = true;
        done();
      };
    });
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.settings.databaseUrl });
    client.on('notification', () => {
      this.pending = true;
      this.wake?.();
    });
    client.on('error', (err) => {
      this.logger.warn(`outbox LISTEN connection lost (${err.message}); polling until it is back`);
      this.listener = undefined;
      setTimeout(() => this.running && this.listen().catch(() => undefined), 1000);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (err) {
      this.logger.warn(`cannot LISTEN for outbox notifications (${String(err)}); polling`);
      await client.end().catch(() => undefined);
      setTimeout(() => this.running && this.listen().catch(() => undefined), 1000);
    }
  }
}
