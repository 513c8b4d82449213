/**
 * The COPY path of import batches (ContactsRepository.insertManyCopied and
 * insertValuesCopied, through ContactsBatchService.writeRows with
 * `copy: true`) against the JSON-parameter path on real PostgreSQL: the same
 * rows — hostile text included — must give the same contacts, value rows,
 * results and events.
 */
import type { DataSource } from 'typeorm';
import { CreateContactSchema, type BatchRowResult, type RequestContext } from '@sigil/contracts';
import { createDataSource, OutboxWriter, runMigrationsLocked } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, testContext } from '@sigil/testing';
import { ConsentRepository } from '../consent/consent.repository';
import { newContact } from '../contacts/contact-changes';
import { ContactWriteReads } from '../contacts/contact-write-reads';
import { ContactsBatchService, type ValidRow } from '../contacts/contacts-batch.service';
import { ContactsRepository } from '../contacts/contacts.repository';
import { CustomFieldAggregates } from '../custom-fields/custom-field-aggregates';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { CustomFieldsService } from '../custom-fields/custom-fields.service';
import { CONTACTS_MIGRATIONS } from '../migrations';

let databaseUrl: string;
let ds: DataSource;
let batch: ContactsBatchService;
let fields: CustomFieldsService;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('contacts_import_copy');
  ds = await createDataSource({ url: databaseUrl, poolSize: 4, entities: [], migrations: CONTACTS_MIGRATIONS, service: 'contacts' }).initialize();
  await runMigrationsLocked(ds, 'contacts');
  const outbox = new OutboxWriter();
  const defs = new CustomFieldDefinitions();
  batch = new ContactsBatchService(ds, outbox, new ContactsRepository(), new ContactWriteReads(), new ConsentRepository());
  fields = new CustomFieldsService(ds, outbox, defs, new CustomFieldAggregates(), new ContactsRepository());
});

afterAll(async () => {
  await ds?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

const HOSTILE = ['say "hi", then\nleave', 'tab\there', 'back\\slash\\', '', 'NULL', '\\N', 'emoji 🦜 ünïcödé', '{braces}', "it's"];

function rows(run: string): ValidRow[] {
  return HOSTILE.map((text, i) => ({
    index: i,
    req: CreateContactSchema.parse({
      email: `row${i}.${run}@example.com`,
      external_id: i % 2 ? `ext "${i}" \\ ${run}` : undefined,
      first_name: text.trim() ? text.replace(/\s+/g, ' ') : null,
      last_name: i === 3 ? null : `L${i}`,
      tags: i % 3 ? [`t ${i}`, 'a:b', 'c/d', 'NULL'] : [],
      custom_fields: { note: text || 'empty', score: i * 1.5, since: '2026-01-0' + ((i % 9) + 1), likes: i % 2 ? ['x', 'y'] : ['y'], vip: i % 2 === 0 },
      subscription_status: i === 4 ? 'pending' : undefined,
    }),
  }));
}

async function write(ctx: RequestContext, valid: ValidRow[], copy: boolean): Promise<BatchRowResult[]> {
  const results: BatchRowResult[] = valid.map((_, index) => ({ index, status: 'error' }));
  await ds.transaction((m) => batch.writeRows(m, ctx, valid, results, { mode: 'upsert', matchOn: 'email', copy }));
  return results;
}

async function defineFields(ctx: RequestContext): Promise<void> {
  await fields.create(ctx, { key: 'note', label: 'Note', type: 'text' });
  await fields.create(ctx, { key: 'score', label: 'Score', type: 'number' });
  await fields.create(ctx, { key: 'since', label: 'Since', type: 'date' });
  await fields.create(ctx, { key: 'likes', label: 'Likes', type: 'multi_select', options: ['x', 'y'] });
  await fields.create(ctx, { key: 'vip', label: 'VIP', type: 'boolean' });
}

/** Everything stored for a tenant, without its ids and stamps, by email. */
async function stored(ctx: RequestContext) {
  const contacts = await ds.query(
    `SELECT email, external_id, first_name, last_name, phone, tags, custom_fields, subscription_status, version, sync_xid IS NOT NULL AS stamped
       FROM contacts WHERE tenant_id = $1 ORDER BY email`,
    [ctx.tenant_id],
  );
  const values = await ds.query(
    `SELECT c.email, v.field_key, v.value_text, v.value_num, v.value_date FROM custom_field_values v JOIN contacts c ON c.id = v.contact_id
      WHERE v.tenant_id = $1 ORDER BY c.email, v.field_key, v.value_text NULLS FIRST, v.value_num NULLS FIRST`,
    [ctx.tenant_id],
  );
  // The outbox rows whole (since session 11 the COPY path writes them by COPY too), in their order, without ids and stamps.
  const events = await ds.query(
    `SELECT o.type, o.topic, o.key = o.envelope->'data'->'contact'->>'id' AS keyed, o.envelope->>'type' AS envelope_type,
            o.envelope - 'id' - 'tenant_id' - 'occurred_at' - 'data' AS envelope_rest,
            (o.envelope->'data'->'contact') - 'id' - 'created_at' - 'updated_at' AS contact, o.envelope->'data'->'changed' AS changed,
            o.headers - 'traceparent' AS headers, o.envelope->>'occurred_at' IS NOT NULL AS stamped
       FROM (SELECT seq, type, topic, key, envelope::jsonb AS envelope, headers::jsonb AS headers FROM outbox_events) o -- json columns: compared as jsonb
      WHERE o.envelope->>'tenant_id' = $1 ORDER BY o.seq`,
    [ctx.tenant_id],
  );
  const consent = await ds.query(`SELECT c.email, e.status, e.source FROM consent_events e JOIN contacts c ON c.id = e.contact_id WHERE e.tenant_id = $1 ORDER BY 1`, [
    ctx.tenant_id,
  ]);
  return { contacts, values, events, consent };
}

describe('import batches by COPY', () => {
  it('store exactly what the JSON-parameter path stores, hostile text included, with the same results', async () => {
    const run = Date.now().toString(36);
    const [viaJson, viaCopy] = [testContext(), testContext()];
    await defineFields(viaJson);
    await defineFields(viaCopy);
    // One contact exists beforehand in each tenant: that row is an update either way.
    for (const ctx of [viaJson, viaCopy]) await write(ctx, [rows(run)[2]!], false);

    const jsonResults = await write(viaJson, rows(run), false);
    const copyResults = await write(viaCopy, rows(run), true);
    expect(copyResults.map((r) => r.status)).toEqual(jsonResults.map((r) => r.status));
    expect(copyResults.filter((r) => r.status === 'created')).toHaveLength(HOSTILE.length - 1);

    const [a, b] = [await stored(viaJson), await stored(viaCopy)];
    expect(b).toEqual(a);
    expect(a.contacts).toHaveLength(HOSTILE.length);
    // The hostile text arrived intact (not just equally wrong in both).
    const first = a.contacts.find((c: { email: string }) => c.email === `row0.${run}@example.com`);
    expect(first).toMatchObject({ first_name: 'say "hi", then leave', tags: [], custom_fields: { note: 'say "hi", then\nleave' } });
    const tagged = b.contacts.find((c: { email: string }) => c.email === `row1.${run}@example.com`);
    expect(tagged).toMatchObject({ external_id: `ext "1" \\ ${run}`, tags: ['t 1', 'a:b', 'c/d', 'NULL'], custom_fields: { note: 'tab\there' } });
    // The events carry the hostile text intact too (the outbox's COPY escapes backslashes, tabs and line breaks).
    const createdOf = (email: string) => b.events.find((e: { type: string; contact: { email: string } }) => e.type === 'contact.created' && e.contact.email === email);
    expect(createdOf(`row0.${run}@example.com`)).toMatchObject({
      keyed: true,
      contact: { first_name: 'say "hi", then leave', custom_fields: { note: 'say "hi", then\nleave' } },
    });
    expect(createdOf(`row1.${run}@example.com`)).toMatchObject({ contact: { external_id: `ext "1" \\ ${run}`, custom_fields: { note: 'tab\there' } } });
    expect(createdOf(`row5.${run}@example.com`)).toMatchObject({ contact: { first_name: '\\N' } });
    // One per row: the contact written beforehand's, and the batch's others.
    expect(b.events.filter((e: { type: string }) => e.type === 'contact.created')).toHaveLength(HOSTILE.length);
    expect(b.values.filter((v: { email: string }) => v.email === `row1.${run}@example.com`).map((v: { field_key: string }) => v.field_key)).toEqual([
      'likes',
      'likes',
      'likes',
      'note',
      'score',
      'since',
      'vip',
    ]);
  });

  it('skips, like the JSON path, a contact whose email or external_id is taken, returning only the ids it inserted', async () => {
    const run = Date.now().toString(36);
    const ctx = testContext();
    const scope = { tenantId: ctx.tenant_id, mode: ctx.mode };
    const repo = new ContactsRepository();
    const contactOf = (i: number, email?: string) => newContact({ ...rows(run)[i]!.req, ...(email ? { email } : {}) }, new Map(), new Date()).contact;
    // Row 0 holds its email, row 1 its external_id.
    await ds.transaction((m) => repo.insertMany(m, scope, [contactOf(0), contactOf(1)]));
    const free = contactOf(2);
    const inserted = await ds.transaction((m) => repo.insertManyCopied(m, scope, [contactOf(0), free, contactOf(1, `other.${run}@example.com`)]));
    expect([...inserted]).toEqual([free.id]);
    expect((await ds.query(`SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1`, [ctx.tenant_id]))[0].n).toBe(3);
  });
});
