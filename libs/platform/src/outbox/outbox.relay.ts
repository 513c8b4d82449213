/**
 * Relays outbox rows to Kafka, at least once: rows are read in order, sent
 * with acks from all in-sync replicas, and deleted only after Kafka has them.
 * Wakes on NOTIFY, and polls as a fallback. Replicas take turns: one relay
 * at a time holds a session-level advisory lock on its own connection and
 * sends (two sending neighbouring batches at once would reorder a key's
 * events); the others stand by and take over when it stops — its process
 * ends, its connection breaks, or a drain fails (it then gives the turn up,
 * so a replica that can reach Kafka relays instead).
 *
 * A drain is two round trips per batch on that connection (read, then
 * delete once Kafka has acknowledged), with no transaction: the lock, not
 * row locks, keeps other relays away, and a row is deleted only after its
 * send. It was five per batch (BEGIN, a transaction-level lock, read, delete,
 * COMMIT) on a pooled connection, paid at every wake-up — about one per
 * create group under load (docs/performance.md, session 8). Drains are at
 * least `lingerMs` apart, so under load one produce request carries the
 * commits of those milliseconds; a commit after a quiet spell is drained
 * at once.
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
  /**
   * How long a drain waits after the one before it (default `OUTBOX_RELAY_LINGER_MS`,
   * else 20 ms): under load the commits of those milliseconds leave together, in one
   * produce request, and every event consumer then fetches them as one batch
   * instead of one small batch per committed transaction. A commit after a quiet
   * spell is drained at once (the linger only follows a drain that sent something).
   * 20 ms, not 5: at 300 creates/s a drain then carries ~6 events, not ~1.5, and the
   * consumers' fetches and the relay's round trips shrink with it — the platform's CPU
   * per create at that rate fell and the create's p99 with it (docs/performance.md,
   * session 22); an event reaches Kafka at most ~15 ms later under load.
   */
  lingerMs?: number;
}

const DEFAULT_LINGER_MS = 20;

/** `OUTBOX_RELAY_LINGER_MS`, checked when the relay is made: a bad value stops the service at start. */
function lingerFromEnv(): number {
  const raw = process.env['OUTBOX_RELAY_LINGER_MS'];
  if (raw === undefined || raw === '') return DEFAULT_LINGER_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 1000) throw new Error(`OUTBOX_RELAY_LINGER_MS: expected an integer from 0 to 1000, got '${raw}'`);
  return ms;
}

/** The lock of the relaying turn (the same key as the transaction-level lock of earlier releases: both kinds exclude each other). */
const RELAY_LOCK_SQL = `SELECT pg_try_advisory_lock(hashtext('sigil-outbox-relay')) AS mine`;

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  /** The envelope as the writer stored it (a json column keeps the text): sent as it is (see drain). */
  envelope: string;
  /** The headers as text too: parsed once per distinct value in a batch (see drain). */
  headers: string;
}

@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private producer: Producer | undefined;
  private listener: Client | undefined;
  /** The relaying connection: holds the turn's lock while `holdsTurn`. */
  private relayDb: Client | undefined;
  private holdsTurn = false;
  /** Drains run one after another (a second one at once would read the same rows). */
  private draining: Promise<unknown> = Promise.resolve();
  private running = false;
  private wake: (() => void) | undefined;
  /** Cuts a linger short when the relay stops. */
  private onStop: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pending = false;
  private relayedTotal = 0;
  private readonly metrics = Metrics.forProcess();
  private stopBacklogProbe: (() => void) | undefined;

  private readonly lingerMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: OutboxRelaySettings,
  ) {
    this.lingerMs = settings.lingerMs ?? lingerFromEnv();
  }

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
    this.onStop?.();
    await this.loop;
    // Events committed by the last in-flight requests go out before we leave.
    await this.drain().catch((err: unknown) => this.logger.warn(`final drain failed, rows stay for the next relay: ${String(err)}`));
    // Ending the session hands the turn to a standby replica.
    await this.closeRelayConnection();
    await this.listener?.end().catch(() => undefined);
    await this.producer?.disconnect();
  }

  /** Relays everything currently in the outbox; returns how many events went out (0 while another replica has the turn). */
  drain(): Promise<number> {
    const run = this.draining.then(() => this.drainOnce());
    this.draining = run.catch(() => undefined);
    return run;
  }

  private async drainOnce(): Promise<number> {
    let total = 0;
    const batchSize = this.settings.batchSize ?? 500;
    try {
      const db = await this.relayConnection();
      if (!this.holdsTurn) {
        const { rows: turn } = await db.query<{ mine: boolean }>(RELAY_LOCK_SQL);
        if (!turn[0]?.mine) return 0; // another replica is relaying; its NOTIFY wake-up covers these rows
        this.holdsTurn = true;
      }
      for (;;) {
        // The envelope as text: pg would JSON.parse each one (an object graph per event) only for us to
        // JSON.stringify it back. The column is json (OutboxJson migration), so the text is the writer's own
        // JSON.stringify, byte for byte (a jsonb column printed its own `": "` spacing and key order).
        // The headers as text, parsed once per distinct value: a batch's events share a handful of header sets
        // (one per event type and request: an import batch's 2 000 contact.created have one), and kafkajs only reads them.
        const { rows } = await db.query<OutboxRow>(
          `SELECT seq, topic, key, envelope::text AS envelope, headers::text AS headers FROM outbox_events ORDER BY seq LIMIT $1`,
          [batchSize],
        );
        if (!rows.length) break;
        const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
        const headersOf = new Map<string, Record<string, string>>();
        for (const row of rows) {
          let headers = headersOf.get(row.headers);
          if (!headers) {
            headers = JSON.parse(row.headers) as Record<string, string>;
            headersOf.set(row.headers, headers);
          }
          const list = byTopic.get(row.topic) ?? [];
          list.push({ key: row.key, value: row.envelope, headers });
          byTopic.set(row.topic, list);
        }
        await this.producer!.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        await db.query(`DELETE FROM outbox_events WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
        total += rows.length;
        if (rows.length < batchSize) break;
      }
    } catch (err) {
      // Give the turn up (closing the connection releases the lock): rows not deleted are sent again, by whoever relays next.
      await this.closeRelayConnection();
      throw err;
    } finally {
      this.relayedTotal += total;
      this.metrics.outboxRelayed.inc(total);
    }
    return total;
  }

  private async relayConnection(): Promise<Client> {
    if (this.relayDb) return this.relayDb;
    // The lock lives as long as this session: if this process's host vanishes (no FIN, no RST), PostgreSQL
    // must notice, or no replica relays. Keepalives probe the idle connection (TCP only: ignored on a socket file).
    const client = new Client({
      connectionString: this.settings.databaseUrl,
      keepAlive: true,
      options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
    });
    client.on('error', (err) => {
      // Idle and broken (PostgreSQL restarted, network): the lock went with the session; the next drain reconnects.
      this.logger.warn(`outbox relay connection lost (${err.message})`);
      if (this.relayDb === client) void this.closeRelayConnection();
    });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.relayDb = client;
    this.holdsTurn = false;
    return client;
  }

  private async closeRelayConnection(): Promise<void> {
    const client = this.relayDb;
    this.relayDb = undefined;
    this.holdsTurn = false;
    await client?.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const pollMs = this.settings.pollIntervalMs ?? 1000;
    const lingerMs = this.lingerMs;
    let backoff = 100;
    let lastDrain = Number.NEGATIVE_INFINITY;
    while (this.running) {
      // At least `lingerMs` after the last drain that sent something: a wake-up after a quiet spell drains
      // at once, one right after a sending drain waits for the rest of it (not while stopping).
      const wait = lastDrain + lingerMs - performance.now();
      if (wait > 0) await this.linger(wait);
      const started = performance.now();
      this.pending = false;
      try {
        if ((await this.drain()) > 0) lastDrain = started;
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

  /** A pause that a stop cuts short (unlike `sleep`, a NOTIFY does not: that is what it waits for). */
  private linger(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.onStop = done;
    });
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
