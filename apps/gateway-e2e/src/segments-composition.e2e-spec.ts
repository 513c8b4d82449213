/**
 * SPEC §13 through the gateway, every service its own process: relative-date,
 * nested-segment and random-bucket rules (with their 400s), the cycle check,
 * `GET /v1/segments/:id/history`, `GET /v1/contacts/:id/segments`, the
 * segment export (CSV and NDJSON, streamed, whatever JSON must escape in its
 * rows), the consent default on list
 * exports (`include_unsubscribed`), scopes on the new routes, and a
 * contact's segments while the segments service has not read the contact yet.
 */
import { Client } from 'pg';
import { ApiClient, contactInput, createTenant, eventually, TestStack, type TestTenant } from '@sigil/testing';

let stack: TestStack;
let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  stack = await TestStack.start();
  tenant = await createTenant(stack.gatewayUrl);
  api = tenant.api;
}, 300_000); // a whole stack of processes; slow on a busy machine

afterAll(async () => {
  await stack?.close();
});

/** NDJSON rows (the test client parses a one-line body as JSON already). */
function ndjson(body: unknown): unknown[] {
  return typeof body === 'string'
    ? body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown)
    : [body];
}

async function readySegment(body: Record<string, unknown>): Promise<string> {
  const created = await api.post('/v1/segments', { name: 'S', ...body });
  expect(created.status).toBe(201);
  const id = created.body.data.id as string;
  await eventually(
    () => api.get(`/v1/segments/${id}`),
    (r) => r.body.data?.status === 'ready',
    30_000,
  );
  return id;
}

describe('segments: time, composition, experiments, history (SPEC §13)', () => {
  let contactId: string;
  let email: string;
  let inner: string;
  let outer: string;

  beforeAll(async () => {
    const input = contactInput({ tags: ['e2e-vip'] });
    const res = await api.post('/v1/contacts', input);
    expect(res.status).toBe(201);
    contactId = res.body.data.id;
    email = input.email;
    inner = await readySegment({ rules: { tag: 'e2e-vip', op: 'has' } });
    outer = await readySegment({
      rules: {
        and: [
          { segment: inner, op: 'in' },
          { attribute: 'created_at', op: 'within_last_days', value: 1 },
        ],
      },
    });
  }, 120_000);

  it('accepts the new conditions and rejects bad ones with their paths', async () => {
    const ok = await api.post('/v1/segments/preview', {
      rules: {
        and: [
          { attribute: 'created_at', op: 'older_than_days', value: 0 },
          { attribute: 'created_at', op: 'anniversary_within_days', value: 366, tz: 'Europe/Paris' },
          { random_bucket: { percent: 100, salt: 'e2e' } },
          { subscription_status: 'subscribed', op: 'eq' },
          { attribute: 'email', op: 'eq', value: email },
        ],
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data.count).toBe(1);
    const bad = await api.post('/v1/segments', {
      name: 'bad',
      rules: {
        and: [
          { attribute: 'email', op: 'older_than_days', value: 3 },
          { custom_field: 'birthday', op: 'anniversary_within_days', value: 1, tz: 'Nowhere/Land' },
          { random_bucket: { percent: 0, salt: 'x' } },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string; code: string }) => `${d.field} ${d.code}`)).toEqual([
      'rules.and[0].op not_allowed',
      'rules.and[1].tz invalid',
      'rules.and[2].random_bucket.percent invalid',
    ]);
    const unknown = await api.post('/v1/segments', {
      name: 'bad',
      rules: {
        or: [
          { tag: 'a', op: 'has' },
          { segment: 'seg_doesnotexist', op: 'in' },
        ],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'rules.or[1].segment', code: 'not_found' })]);
  });

  it('refuses a cycle with a 400 naming it, and deleting a segment others use with a 409', async () => {
    const cycle = await api.patch(`/v1/segments/${inner}`, { rules: { segment: outer, op: 'in' } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.details[0]).toMatchObject({ field: 'rules', code: 'cycle' });
    expect(cycle.body.error.details[0].message).toContain(`${inner} → ${outer} → ${inner}`);
    expect((await api.delete(`/v1/segments/${inner}`)).status).toBe(409);
  });

  it("lists a contact's segments with since, and its history per day", async () => {
    const mine = await eventually(
      () => api.get(`/v1/contacts/${contactId}/segments`),
      (r) => r.status === 200 && r.body.data.length === 2,
      30_000,
    );
    expect(mine.body.data.map((s: { segment_id: string }) => s.segment_id).sort()).toEqual([inner, outer].sort());
    expect(Date.parse(mine.body.data[0].since)).toBeGreaterThan(Date.now() - 3600_000);
    expect((await api.get('/v1/contacts/con_unknown/segments')).status).toBe(404);

    const history = await api.get(`/v1/segments/${inner}/history?interval=day`);
    expect(history.status).toBe(200);
    expect(history.body.data).toHaveLength(30);
    expect(history.body.data.at(-1)).toMatchObject({ total: 1 });
    expect(history.body.data.reduce((n: number, p: { entered: number }) => n + p.entered, 0)).toBe(1);
    const hourly = await api.get(`/v1/segments/${inner}/history?interval=hour&from=${encodeURIComponent(new Date(Date.now() - 5 * 3600_000).toISOString())}`);
    expect(hourly.status).toBe(200);
    expect(hourly.body.data.length).toBeGreaterThanOrEqual(5);
    const badQuery = await api.get(`/v1/segments/${inner}/history?interval=week`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.details[0].field).toBe('interval');
  });

  it('exports a segment as CSV and NDJSON, streamed', async () => {
    const csv = await api.request('GET', `/v1/segments/${inner}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('id,email,first_name,last_name,phone,tags,custom_fields,created_at,updated_at,since');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(contactId);
    const nd = await api.request('GET', `/v1/segments/${inner}/export?format=ndjson`);
    expect(nd.status).toBe(200);
    const rows = ndjson(nd.body) as Array<{ id: string; since: string }>;
    expect(rows.map((r) => r.id)).toEqual([contactId]);
    expect(rows[0]!.since).toEqual(expect.any(String));
    expect((await api.request('GET', `/v1/segments/seg_unknown/export`)).status).toBe(404);
    expect((await api.request('GET', `/v1/segments/${inner}/export?format=xml`)).status).toBe(400);
  });

  it('exports rows made of characters JSON escapes: every chunk still fits a Kafka message', async () => {
    // Names of control characters (raw in a CSV cell, six bytes each as JSON) and 10 000 quotes (`\""` in a CSV cell, six
    // bytes as JSON): under a cap that counted the text's own bytes, the first chunk's reply was ~4.2 MB, more than the
    // 4 MiB a Kafka message may hold, and the export failed after the gateway had waited for it twice.
    expect((await api.post('/v1/custom-fields', { key: 'quotes', label: 'Quotes', type: 'text' })).status).toBe(201);
    const odd = '\u0001'.repeat(100);
    const quotes = '"'.repeat(10_000);
    const ids: string[] = [];
    for (let i = 0; i < 80; i++) {
      const res = await api.post('/v1/contacts', contactInput({ tags: ['e2e-odd'], first_name: odd, last_name: odd, custom_fields: { quotes } }));
      expect(res.status).toBe(201);
      ids.push(res.body.data.id as string);
    }
    const seg = await readySegment({ rules: { tag: 'e2e-odd', op: 'has' } });
    await eventually(
      () => api.get(`/v1/segments/${seg}/count`),
      (r) => r.body.data?.count === ids.length,
      30_000,
    );
    const csv = await api.request('GET', `/v1/segments/${seg}/export?format=csv`);
    expect(csv.status).toBe(200);
    const lines = String(csv.body).split('\r\n').filter(Boolean).slice(1);
    expect(lines.map((l) => l.slice(0, l.indexOf(',')))).toEqual([...ids].sort());
    expect(lines.every((l) => l.includes(`,${odd},${odd},`) && l.includes(quotes.replaceAll('"', '\\""')))).toBe(true);
    const nd = await api.request('GET', `/v1/segments/${seg}/export?format=ndjson`);
    expect(nd.status).toBe(200);
    const rows = ndjson(nd.body) as Array<{ id: string; first_name: string; custom_fields: { quotes: string } }>;
    expect(rows.map((r) => r.id)).toEqual([...ids].sort());
    expect(rows.every((r) => r.first_name === odd && r.custom_fields.quotes === quotes)).toBe(true);
  });

  it('leaves unsubscribed contacts out of list exports unless include_unsubscribed=true', async () => {
    const list = (await api.post('/v1/lists', { name: 'consent' })).body.data.id;
    await eventually(
      () => api.post(`/v1/lists/${list}/members`, { contact_ids: [contactId] }),
      (r) => r.body.data?.results?.[0]?.status === 'added',
      30_000,
    );
    const all = await api.request('GET', `/v1/lists/${list}/export?format=ndjson&include_unsubscribed=true`);
    expect(all.status).toBe(200);
    expect(ndjson(all.body).map((r) => (r as { id: string }).id)).toEqual([contactId]);
    const bad = await api.request('GET', `/v1/lists/${list}/export?include_unsubscribed=maybe`);
    expect(bad.status).toBe(400);
  });

  it('requires segments:read for the new routes', async () => {
    const contactsOnly = await tenant.client({ scopes: ['contacts:read'] });
    for (const path of [`/v1/segments/${inner}/history`, `/v1/segments/${inner}/export`, `/v1/contacts/${contactId}/segments`]) {
      const res = await contactsOnly.request('GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
  });

  // Last: it changes the segments service's read model behind its back, and the tests above count its contacts.
  it("answers a contact's segments as the contacts service knows the contact, whatever the segments service has read", async () => {
    const db = new Client({ connectionString: stack.databaseUrl('segments') });
    await db.connect();
    const readModel = async (id: string) =>
      (await db.query(`SELECT deleted FROM contacts WHERE tenant_id = $1 AND id = $2`, [tenant.tenantId, id])).rows[0] as { deleted: boolean } | undefined;
    try {
      const created = await api.post('/v1/contacts', contactInput());
      expect(created.status).toBe(201);
      const id = created.body.data.id as string;
      await eventually(
        () => readModel(id),
        (row) => row?.deleted === false,
        30_000,
      );
      // The read model not knowing the contact yet, as right after the create (issue 14's fuzz: a 404 "No contact" then).
      expect((await db.query(`DELETE FROM contacts WHERE tenant_id = $1 AND id = $2`, [tenant.tenantId, id])).rowCount).toBe(1);
      const early = await api.get(`/v1/contacts/${id}/segments`);
      expect({ status: early.status, data: early.body.data }).toEqual({ status: 200, data: [] });
      // The contacts service is asked on the route's behalf: segments:read is enough.
      const segmentsOnly = await tenant.client({ scopes: ['segments:read'] });
      expect((await segmentsOnly.request('GET', `/v1/contacts/${id}/segments`)).status).toBe(200);
      // Another tenant's id stays a 404, and so do an unknown and a malformed id.
      const other = await createTenant(stack.gatewayUrl);
      const foreign = await other.api.get(`/v1/contacts/${id}/segments`);
      expect({ status: foreign.status, code: foreign.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
      expect((await api.get(`/v1/contacts/con_${'0'.repeat(26)}/segments`)).status).toBe(404);
      expect((await api.get('/v1/contacts/con_unknown/segments')).status).toBe(404);

      // Deleted: a 404 even while the read model has not seen the deletion yet (schemathesis' use-after-free check).
      const gone = await api.post('/v1/contacts', contactInput());
      const goneId = gone.body.data.id as string;
      await eventually(
        () => readModel(goneId),
        (row) => row?.deleted === false,
        30_000,
      );
      expect((await api.delete(`/v1/contacts/${goneId}`)).status).toBe(204);
      await eventually(
        () => readModel(goneId),
        (row) => row?.deleted === true,
        30_000,
      );
      await db.query(`UPDATE contacts SET deleted = false WHERE tenant_id = $1 AND id = $2`, [tenant.tenantId, goneId]); // lagging
      const late = await api.get(`/v1/contacts/${goneId}/segments`);
      expect({ status: late.status, code: late.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
    } finally {
      await db.end();
    }
  });
});
