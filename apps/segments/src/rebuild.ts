/**
 * `npm run segments:rebuild`: rebuilds the segments read model from the
 * contacts snapshot (over Kafka request/reply) while the segments service
 * keeps serving and consuming events. Safe to run at any time and more than
 * once; see docs/segments.md. Reads the segments service's environment.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ContactRpc, MAX_SNAPSHOT_LIMIT, SYSTEM_TENANT_ID, type RequestContext } from '@sigil/contracts';
import { createDataSource, loadConfig, OutboxWriter, RpcClient, runMain, runMigrationsLocked, ensureTopics } from '@sigil/platform';
import { systemClock } from './clock';
import { SegmentsConfigSchema } from './config';
import { ListsRepository } from './lists/lists.repository';
import { MembershipRepository } from './membership/membership.repository';
import { MembershipService } from './membership/membership.service';
import { SEGMENTS_MIGRATIONS } from './migrations';
import { ReadModelRebuilder } from './read-model/read-model.rebuilder';
import { ReadModelRepository } from './read-model/read-model.repository';
import { ReadModelService } from './read-model/read-model.service';
import { SegmentsRepository } from './segments/segments.repository';

runMain('segments-rebuild', async () => {
  const config = loadConfig(SegmentsConfigSchema);
  const kafka = { brokers: config.KAFKA_BROKERS, clientId: 'segments-rebuild', partitions: config.KAFKA_TOPIC_PARTITIONS };
  await ensureTopics(kafka);
  const dataSource = await createDataSource({
    url: config.DATABASE_URL,
    poolSize: 4,
    entities: [],
    migrations: SEGMENTS_MIGRATIONS,
    service: 'segments',
  }).initialize();
  await runMigrationsLocked(dataSource, 'segments');
  // A reply group of its own, so the running gateways' reply consumers are not disturbed.
  const rpc = new RpcClient({
    ...kafka,
    service: 'segments-rebuild',
    replyGroup: `segments-rebuild-${randomBytes(4).toString('hex')}`,
    timeoutMs: 30000,
  });
  await rpc.onModuleInit();
  const ctx = (): RequestContext => ({
    tenant_id: SYSTEM_TENANT_ID,
    mode: 'live',
    request_id: `req_rebuild_${randomBytes(6).toString('hex')}`,
    principal: { kind: 'system', id: 'segments-rebuild', scopes: [] },
  });
  const outbox = new OutboxWriter();
  const contacts = new ReadModelRepository();
  const segments = new SegmentsRepository();
  const membership = new MembershipService(outbox, systemClock, new MembershipRepository(), segments, contacts);
  const readModel = new ReadModelService(dataSource, membership, outbox, contacts, new ListsRepository());
  const rebuilder = new ReadModelRebuilder(
    dataSource,
    readModel,
    contacts,
    {
      contacts: async (after, limit) => (await rpc.call(ContactRpc.snapshot, ctx(), { body: { after, limit } })).data,
      activities: async (after, limit) => (await rpc.call(ContactRpc.activitiesSnapshot, ctx(), { body: { after, limit } })).data,
    },
    MAX_SNAPSHOT_LIMIT,
  );
  try {
    const report = await rebuilder.run();
    process.stdout.write(`${JSON.stringify({ msg: 'segments read model rebuilt', ...report })}\n`);
  } finally {
    await rpc.onApplicationShutdown();
    await dataSource.destroy();
  }
  process.exit(0);
});
