/**
 * Lists through the gateway, every service its own process: CRUD, members
 * with per-id outcomes, pagination, the contacts `list_id` filter, scopes,
 * tenant and mode isolation, and exports streamed with bounded memory.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { ApiClient, contactInput, createTenant, eventually, TestStack, type TestTenant } from '@sigil/testing';

let stack: TestStack;
let tenant: TestTenant;
let api: ApiClient;

beforeAll(async () => {
  // A heap cap on the two processes an export flows through: holding a large export would crash them.
  const capped = { NODE_OPTIONS: '--max-old-space-size=160' };
  stack = await TestStack.start({ serviceEnv: { gateway: capped, segments: capped } });
  tenant = await createTenant(stack.gatewayUrl);
  api = tenant.api;
}, 300_000); // a whole stack of processes; slow on a busy machine

afterAll(async () => {
  await stack?.close();
});

/** Creates contacts and waits until the segments read model has them (it is fed by events). */
async function contactsInReadModel(client: ApiClient, n: number): Promise<string[]> {
  const created = [];
  for (let i = 0; i < n; i++) {
    const res = await client.post('/v1/contacts', contactInput());
    expect(res.status).toBe(201);
    created.push(res.body.data as { id: string; email: string });
  }
  const rules = { attribute: 'email', op: 'in', value: created.map((c) => c.email) };
  // Fails naming the count the read model reached.
  await eventually(
    async () => (await client.post('/v1/segments/preview', { rules, limit: 0 })).body.data?.count,
    (count) => count === n,
    { timeoutMs: 20_000, stepMs: 100 },
  );
  return created.map((c) => c.id);
}

describe('lists', () => {
  it('creates, reads, updates, lists and deletes a list', async () => {
    const created = await api.post('/v1/lists', { name: 'Newsletter', description: 'weekly' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Newsletter', description: 'weekly', member_count: 0 });
    const id = created.body.data.id;
    expect(id).toMatch(/^lst_/);
    expect((await api.get(`/v1/lists/${id}`)).body.data.name).toBe('Newsletter');
    const patched = await api.patch(`/v1/lists/${id}`, { name: 'Digest' });
    expect(patched.status).toBe(200);
    expect(patched.body.data.name).toBe('Digest');
    const listed = await api.get('/v1/lists?limit=1');
    expect(listed.status).toBe(200);
    expect(listed.body.meta).toMatchObject({ limit: 1 });
    expect(listed.body.data).toHaveLength(1);
    expect((await api.delete(`/v1/lists/${id}`)).status).toBe(204);
    expect((await api.get(`/v1/lists/${id}`)).status).toBe(404);
  });

  it('validates bodies and queries with per-field details', async () => {
    const bad = await api.post('/v1/lists', { name: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['extra', 'name']);
    const limit = await api.get('/v1/lists?limit=500');
    expect(limit.status).toBe(400);
    expect(limit.body.error.details[0].field).toBe('limit');
  });

  it('adds and removes members with an outcome per id, pages members, and filters contacts by list', async () => {
    const other = await createTenant(stack.gatewayUrl);
    const [foreign] = await contactsInReadModel(other.api, 1);
    const ids = await contactsInReadModel(api, 3);
    const list = (await api.post('/v1/lists', { name: 'Members' })).body.data.id;

    const added = await api.post(`/v1/lists/${list}/members`, { contact_ids: [...ids, foreign, 'con_unknown'] });
    expect(added.status).toBe(200);
    expect(added.body.data.results).toEqual([
      ...ids.map((contact_id) => ({ contact_id, status: 'added' })),
      { contact_id: foreign, status: 'not_found' },
      { contact_id: 'con_unknown', status: 'not_found' },
    ]);

    const page1 = await api.get(`/v1/lists/${list}/members?limit=2`);
    expect(page1.body.meta).toMatchObject({ limit: 2, has_more: true });
    expect(page1.body.links.next).toContain('cursor=');
    const page2 = await api.get(page1.body.links.next);
    expect([...page1.body.data, ...page2.body.data].map((m: { id: string }) => m.id)).toEqual([...ids].sort());

    const filtered = await api.get(`/v1/contacts?list_id=${list}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.data.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());

    const removed = await api.request('DELETE', `/v1/lists/${list}/members`, { contact_ids: [ids[0], ids[0]] });
    expect(removed.status).toBe(200);
    expect(removed.body.data.results.map((r: { status: string }) => r.status)).toEqual(['removed', 'not_member']);
    expect((await api.get(`/v1/lists/${list}`)).body.data.member_count).toBe(2);

    const tooMany = await api.post(`/v1/lists/${list}/members`, { contact_ids: Array.from({ length: 1001 }, (_, i) => `con_${i}`) });
    expect(tooMany.status).toBe(400);
  });

  it('needs lists:read / lists:write', async () => {
    const reader = await tenant.client({ scopes: ['lists:read'] });
    const list = (await api.post('/v1/lists', { name: 'Scoped' })).body.data.id;
    expect((await reader.get(`/v1/lists/${list}`)).status).toBe(200);
    const denied = await reader.post('/v1/lists', { name: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'insufficient_scope' });
    const segmentsOnly = await tenant.client({ scopes: ['segments:read'] });
    expect((await segmentsOnly.get(`/v1/lists/${list}/export`)).status).toBe(403);
  });

  it('hides another tenant’s and the other mode’s lists (404)', async () => {
    const list = (await api.post('/v1/lists', { name: 'Private' })).body.data.id;
    const other = await createTenant(stack.gatewayUrl);
    const testMode = await tenant.client({ mode: 'test' });
    for (const client of [other.api, testMode]) {
      expect((await client.get(`/v1/lists/${list}`)).status).toBe(404);
      expect((await client.patch(`/v1/lists/${list}`, { name: 'mine' })).status).toBe(404);
      expect((await client.delete(`/v1/lists/${list}`)).status).toBe(404);
      expect((await client.post(`/v1/lists/${list}/members`, { contact_ids: ['con_x'] })).status).toBe(404);
      const exported = await client.get(`/v1/lists/${list}/export`);
      expect(exported.status).toBe(404);
      expect(exported.body.error.code).toBe('not_found');
    }
  });

  it('exports members as CSV and NDJSON', async () => {
    const ids = await contactsInReadModel(api, 2);
    const list = (await api.post('/v1/lists', { name: 'Export' })).body.data.id;
    await api.post(`/v1/lists/${list}/members`, { contact_ids: ids });
    const csv = await fetch(`${stack.gatewayUrl}/v1/lists/${list}/export?format=csv`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('x-request-id')).toBeTruthy();
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('id,email,first_name,last_name,phone,tags,custom_fields,created_at,updated_at,added_at');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual([...ids].sort());

    const nd = await fetch(`${stack.gatewayUrl}/v1/lists/${list}/export?format=ndjson`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(nd.headers.get('content-type')).toContain('application/x-ndjson');
    const rows = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; added_at: string });
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect((await api.get(`/v1/lists/${list}/export?format=xml`)).status).toBe(400);
  });

  it('streams a large export with bounded memory in the gateway and the segments service', async () => {
    const list = (await api.post('/v1/lists', { name: 'Huge' })).body.data.id;
    const total = 100_000;
    const db = new Client({ connectionString: stack.databaseUrl('segments') });
    await db.connect();
    try {
      // Seeded straight into the read model: the subject is the export path, not event intake.
      await db.query(
        `INSERT INTO contacts (tenant_id, mode, id, email, first_name, custom_fields, created_at, updated_at, version)
         SELECT $1, 'live', 'con_' || lpad(g::text, 26, '0'), 'user' || g || '@example.com', 'Name' || g,
                jsonb_build_object('bio', repeat('z', 2000)), now(), now(), 1
           FROM generate_series(1, $2::int) g`,
        [tenant.tenantId, total],
      );
      await db.query(
        `INSERT INTO list_members (tenant_id, mode, list_id, contact_id) SELECT $1, 'live', $2, 'con_' || lpad(g::text, 26, '0') FROM generate_series(1, $3::int) g`,
        [tenant.tenantId, list, total],
      );
    } finally {
      await db.end();
    }
    const gatewayPid = stack.get('gateway').pid!;
    const segmentsPid = stack.get('segments').pid!;
    const before = { gateway: rssOf(gatewayPid), segments: rssOf(segmentsPid) };
    let peak = { ...before };
    const sampler = setInterval(() => {
      peak = { gateway: Math.max(peak.gateway, rssOf(gatewayPid)), segments: Math.max(peak.segments, rssOf(segmentsPid)) };
    }, 100);
    let bytes = 0;
    let newlines = 0;
    try {
      const res = await fetch(`${stack.gatewayUrl}/v1/lists/${list}/export?format=ndjson`, { headers: { authorization: `Bearer ${tenant.apiKey}` } });
      expect(res.status).toBe(200);
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += part.length;
        for (const b of part) if (b === 10) newlines++;
      }
    } finally {
      clearInterval(sampler);
    }
    expect(newlines).toBe(total);
    expect(bytes).toBeGreaterThan(200 * 1024 * 1024);
    // ~220 MB went through processes whose heap is capped at 160 MB; their resident size stayed well below the export.
    expect(stack.get('gateway').running && stack.get('segments').running).toBe(true);
    expect(peak.gateway - before.gateway).toBeLessThan(150 * 1024 * 1024);
    expect(peak.segments - before.segments).toBeLessThan(150 * 1024 * 1024);
  }, 300_000);
});

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0; // the process is gone; the test's own checks say so
  }
}
