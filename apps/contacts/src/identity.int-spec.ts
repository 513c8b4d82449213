/**
 * Contact identity on real PostgreSQL and Kafka (SPEC §12): `external_id`
 * (create, patch, lookup, batch upsert by it) and merging duplicates.
 */
import type { DataSource } from 'typeorm';
import { ContactRpc, type DomainEvent, type RequestContext } from '@sigil/contracts';
import { createDataSource, DomainError, ensureTopics, OutboxRelay, OutboxWriter, RpcClient, runMigrationsLocked } from '@sigil/platform';
import { contactInput, createTestDatabase, dropTestDatabase, eventually, EventSpy, testContext, testKafka, uniqueEmail, validatedRequest } from '@sigil/testing';
import { ContactsBatchService } from './contacts/contacts-batch.service';
import { ContactsRepository } from './contacts/contacts.repository';
import { ContactsService } from './contacts/contacts.service';
import { SegmentMembersClient } from './contacts/segment-members.client';
import { CustomFieldDefinitions } from './custom-fields/custom-field-definitions';
import { CONTACTS_MIGRATIONS } from './migrations';

const kafka = testKafka('contacts-identity');
let databaseUrl: string;
let ds: DataSource;
let relay: OutboxRelay;
let spy: EventSpy;
let rpc: RpcClient;
let contacts: ContactsService;
let batch: ContactsBatchService;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('contacts_identity');
  ds = await createDataSource({ url: databaseUrl, poolSize: 10, entities: [], migrations: CONTACTS_MIGRATIONS, service: 'contacts' }).initialize();
  await runMigrationsLocked(ds, 'contacts');
  await ensureTopics(kafka);
  relay = new OutboxRelay(ds, { kafka, databaseUrl, pollIntervalMs: 200 });
  await relay.onApplicationBootstrap();
  spy = await EventSpy.start();
  rpc = new RpcClient({ ...kafka, service: 'contacts', timeoutMs: 15000 });
  await rpc.onModuleInit();
  const outbox = new OutboxWriter();
  const repo = new ContactsRepository();
  const defs = new CustomFieldDefinitions();
  contacts = new ContactsService(ds, outbox, repo, defs, new SegmentMembersClient(rpc));
  batch = new ContactsBatchService(ds, outbox, repo, defs);
});

afterAll(async () => {
  await rpc?.onApplicationShutdown();
  await spy?.stop();
  await relay?.onApplicationShutdown();
  await ds?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

async function eventsOf(ctx: RequestContext, expected: number): Promise<DomainEvent[]> {
  await eventually(async () => {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM outbox_events WHERE envelope->>'tenant_id' = $1`, [ctx.tenant_id]);
    return n === 0 && spy.matching((e) => e.tenant_id === ctx.tenant_id).length >= expected;
  });
  return spy.matching((e) => e.tenant_id === ctx.tenant_id);
}

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('external_id', () => {
  it('is set on create, changed or cleared by PATCH, unique per tenant and mode, carried by events', async () => {
    const ctx = testContext();
    const input = await validatedRequest(ContactRpc.create, { body: contactInput({ external_id: '  crm-42 ' }) });
    const created = await contacts.create(ctx, input.body);
    expect(created.external_id).toBe('crm-42');

    const dup = await rejection(contacts.create(ctx, contactInput({ external_id: 'crm-42' })));
    expect(dup).toMatchObject({ status: 409 });
    expect(dup.extra['existing_id']).toBe(created.id);
    expect(dup.message).toContain('external_id');
    // Case matters, and another tenant or mode has its own namespace.
    expect((await contacts.create(ctx, contactInput({ external_id: 'CRM-42' }))).external_id).toBe('CRM-42');
    expect((await contacts.create(testContext(), contactInput({ external_id: 'crm-42' }))).external_id).toBe('crm-42');
    expect((await contacts.create({ ...ctx, mode: 'test' }, contactInput({ external_id: 'crm-42' }))).external_id).toBe('crm-42');

    const other = await contacts.create(ctx, contactInput());
    const clash = await rejection(contacts.update(ctx, other.id, { external_id: 'crm-42' }));
    expect(clash.status).toBe(409);
    expect(clash.extra['existing_id']).toBe(created.id);
    const cleared = await contacts.update(ctx, created.id, { external_id: null });
    expect(cleared).toMatchObject({ external_id: null, version: 2 });
    expect((await contacts.update(ctx, other.id, { external_id: 'crm-42' })).external_id).toBe('crm-42');

    const events = await eventsOf(ctx, 5);
    const updated = events.filter((e) => e.type === 'contact.updated');
    expect(updated.map((e) => e.data)).toEqual([
      expect.objectContaining({ changed: ['external_id'], contact: expect.objectContaining({ id: created.id, external_id: null }) }),
      expect.objectContaining({ changed: ['external_id'], contact: expect.objectContaining({ id: other.id, external_id: 'crm-42' }) }),
    ]);
  });

  it('refuses an empty, too long or control-character external_id with 400 naming the field', async () => {
    for (const bad of ['   ', 'x'.repeat(256), 'a\nb', 42]) {
      const err = await rejection(validatedRequest(ContactRpc.create, { body: contactInput({ external_id: bad as string }) }));
      expect(err.status).toBe(400);
      expect(err.details).toContainEqual(expect.objectContaining({ field: 'external_id' }));
    }
  });

  it('looks a contact up with ?external_id= (exact match, own tenant only)', async () => {
    const ctx = testContext();
    const target = await contacts.create(ctx, contactInput({ external_id: 'shop:1001' }));
    await contacts.create(ctx, contactInput({ external_id: 'shop:10010' }));
    const query = (await validatedRequest(ContactRpc.list, { query: { external_id: 'shop:1001' } })).query;
    expect((await contacts.list(ctx, query)).data.map((c) => c.id)).toEqual([target.id]);
    expect((await contacts.list(testContext(), query)).data).toEqual([]);
  });
});

describe('batch upsert by external_id', () => {
  it('matches rows on external_id: creates, updates (email too), and fails rows without one or taking another contact’s email', async () => {
    const ctx = testContext();
    const known = await contacts.create(ctx, contactInput({ external_id: 'u-1', first_name: 'Old' }));
    const bystander = await contacts.create(ctx, contactInput());
    const newEmail = uniqueEmail();
    const reply = await batch.upsert(ctx, {
      match_on: 'external_id',
      contacts: [
        { external_id: 'u-1', email: newEmail, first_name: 'New' },
        { external_id: 'u-2', email: uniqueEmail() },
        { email: uniqueEmail() },
        { external_id: 'u-3', email: bystander.email },
        { external_id: 'u-2', email: uniqueEmail() },
      ],
    });
    expect(reply.results.map((r) => r.status)).toEqual(['updated', 'created', 'error', 'error', 'error']);
    expect(reply.results[0]!.id).toBe(known.id);
    expect(reply.results[2]!.error!.details).toEqual([expect.objectContaining({ field: 'external_id', code: 'required' })]);
    expect(reply.results[3]!.error).toMatchObject({ code: 'conflict', existing_id: bystander.id });
    expect(reply.results[4]!.error!.code).toBe('conflict');
    expect(await contacts.get(ctx, known.id)).toMatchObject({ email: newEmail, first_name: 'New', external_id: 'u-1', version: 2 });
    expect(await contacts.get(ctx, reply.results[1]!.id!)).toMatchObject({ external_id: 'u-2' });

    // Repeating the batch is safe: the same contacts, nothing new.
    const again = await batch.upsert(ctx, { match_on: 'external_id', contacts: [{ external_id: 'u-1', email: newEmail, first_name: 'New' }] });
    expect(again).toMatchObject({ created: 0, unchanged: 1 });
  });

  it('by email, sets external_id and refuses a row claiming another contact’s external_id', async () => {
    const ctx = testContext();
    const a = await contacts.create(ctx, contactInput({ external_id: 'a' }));
    const b = await contacts.create(ctx, contactInput());
    const reply = await batch.upsert(ctx, {
      contacts: [
        { email: b.email, external_id: 'b' },
        { email: uniqueEmail(), external_id: 'a' },
        { email: uniqueEmail(), external_id: 'b' },
      ],
    });
    expect(reply.results.map((r) => r.status)).toEqual(['updated', 'error', 'error']);
    expect(reply.results[1]!.error).toMatchObject({ code: 'conflict', existing_id: a.id });
    expect((await contacts.get(ctx, b.id)).external_id).toBe('b');
  });
});
