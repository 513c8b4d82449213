/**
 * A real service module (database, outbox relay, health, metrics) served over
 * HTTP: `/metrics` shows the request that was just made, and the outbox backlog.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthPatterns } from '@sigil/contracts';
import { createTestDatabase, deleteNamespaceTopics, dropTestDatabase, testKafka } from '@sigil/testing';
import { ServicePlatformModule } from '../bootstrap/service-platform.module';
import { SharedTables1764100000000 } from '../database/shared-tables.migration';
import { ensureTopics } from '../kafka/topic-admin';

describe('GET /metrics on a service', () => {
  let app: NestFastifyApplication;
  let databaseUrl: string;
  let baseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('metrics');
    const kafka = testKafka('metrics-test');
    await ensureTopics(kafka);
    const module = ServicePlatformModule.forRoot({
      kafka,
      healthPattern: HealthPatterns.contacts,
      database: { service: 'metrics-test', url: databaseUrl, poolSize: 2, entities: [], migrations: [SharedTables1764100000000], runMigrations: true },
    });
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    await deleteNamespaceTopics();
  });

  it('exposes the HTTP latency histogram of a request it served', async () => {
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);

    const res = await fetch(`${baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const count = (await res.text())
      .split('\n')
      .find(
        (line) =>
          line.startsWith('sigil_http_request_duration_seconds_count{') &&
          ['method="GET"', 'route="/health/live"', 'status_code="200"', 'service="metrics-test"'].every((label) => line.includes(label)),
      );
    expect(Number(count?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });

  it('reads the outbox backlog at scrape time', async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(text).toMatch(/^sigil_outbox_backlog\{service="metrics-test"\} 0$/m);
    expect(text).toMatch(/^sigil_outbox_oldest_age_seconds\{service="metrics-test"\} 0$/m);
  });
});
