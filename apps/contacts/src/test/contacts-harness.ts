/**
 * The contacts service's use cases on real PostgreSQL and Kafka for
 * integration tests (no transport: no RPC server, no HTTP): a fresh database
 * with the migrations, the outbox relay publishing to this file's Kafka
 * namespace, an event spy, an RPC client (to the segments service's patterns),
 * and every provider of the service wired by Nest as in production
 * (`CONTACTS_PROVIDERS`), so a spec asks for what it tests by type.
 */
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import type { DomainEvent, RequestContext } from '@sigil/contracts';
import { ensureTopics, loadConfig, OutboxRelay, OutboxWriter, RpcClient } from '@sigil/platform';
import { eventually, EventSpy, KAFKA_BROKERS, REDIS_URL, TestDatabase, testKafka } from '@sigil/testing';
import { CONTACTS_PROVIDERS } from '../app.module';
import { CONTACTS_CONFIG, ContactsConfigSchema } from '../config';
import { CONSENT_SETTINGS, type ConsentSettings } from '../consent/consent.service';
import { CONTACTS_MIGRATIONS } from '../migrations';

export interface ContactsHarnessOptions {
  /** Names the Kafka client. */
  name: string;
  poolSize?: number;
  /** The subscription tokens' key and lifetimes (the service's defaults otherwise). */
  consent?: Partial<ConsentSettings>;
  /** Environment overrides of the service's config (e.g. `SUPPRESSION_SCAN_ROWS`). */
  env?: Record<string, string>;
}

export class ContactsHarness {
  private constructor(
    private readonly db: TestDatabase,
    readonly spy: EventSpy,
    readonly rpc: RpcClient,
    private readonly app: INestApplicationContext,
    private readonly relay: OutboxRelay,
  ) {}

  get dataSource(): DataSource {
    return this.db.dataSource;
  }

  static async start(options: ContactsHarnessOptions): Promise<ContactsHarness> {
    const db = await TestDatabase.create('contacts', CONTACTS_MIGRATIONS, options.poolSize ?? 10);
    const { dataSource, url: databaseUrl } = db;
    const kafka = testKafka(options.name);
    await ensureTopics(kafka);
    const relay = new OutboxRelay(dataSource, { kafka, databaseUrl, pollIntervalMs: 200 });
    await relay.onApplicationBootstrap();
    const spy = await EventSpy.start();
    const rpc = new RpcClient({ ...kafka, service: 'contacts', timeoutMs: 15000 });
    await rpc.onModuleInit();
    const config = loadConfig(ContactsConfigSchema, {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      KAFKA_BROKERS: KAFKA_BROKERS.join(','),
      LOG_LEVEL: 'warn',
      ...options.env,
    });
    const consent: ConsentSettings = {
      secret: config.CONSENT_TOKEN_SECRET,
      confirmTtlSeconds: config.CONFIRMATION_TOKEN_TTL_SECONDS,
      unsubscribeTtlSeconds: config.UNSUBSCRIBE_TOKEN_TTL_SECONDS,
      ...options.consent,
    };

    @Module({
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: RpcClient, useValue: rpc },
        { provide: CONTACTS_CONFIG, useValue: config },
        { provide: CONSENT_SETTINGS, useValue: consent },
        OutboxWriter,
        ...CONTACTS_PROVIDERS,
      ],
    })
    class ContactsUseCases {}

    const app = await NestFactory.createApplicationContext(ContactsUseCases, { logger: ['error'] });
    await app.init();
    return new ContactsHarness(db, spy, rpc, app, relay);
  }

  /** A provider of the service (a use case or a repository), as production wires it. */
  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  /**
   * Every event of this tenant, once each, when the outbox is empty and Kafka has delivered at
   * least `expected` distinct ones. Delivery is at least once (SPEC §1): when a broker answers
   * NOT_LEADER on a topic it has only just created, kafkajs resends the whole produce request, so
   * the spy can see one event id twice. Consumers dedupe by event id, and so does this: two
   * writes of one change are still two ids and still counted twice.
   */
  async eventsOf(ctx: Pick<RequestContext, 'tenant_id'>, expected: number): Promise<DomainEvent[]> {
    const distinct = (): DomainEvent[] => {
      const seen = new Set<string>();
      return this.spy.matching((e) => e.tenant_id === ctx.tenant_id).filter((e) => !seen.has(e.id) && Boolean(seen.add(e.id)));
    };
    await eventually(async () => {
      const [{ n }]: [{ n: number }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE envelope->>'tenant_id' = $1`, [ctx.tenant_id]);
      return n === 0 && distinct().length >= expected;
    });
    return distinct();
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.rpc.onApplicationShutdown();
    await this.spy.stop();
    await this.relay.onApplicationShutdown();
    await this.db.drop();
  }
}
