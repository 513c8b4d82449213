/**
 * Contacts through the gateway, every service its own process: CRUD, list
 * (pagination, filters, sort, incremental sync), tags, activities, batch
 * upsert, GDPR delete, validation errors, tenant and mode isolation, scopes.
 */
import { ApiClient, contactInput, createTenant, eventually, TestStack, uniqueEmail, type TestTenant } from '@sigil/testing';

describe('contacts API', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start();
    tenant = await createTenant(stack.gatewayUrl);
    api = tenant.api;
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function create(overrides: Parameters<typeof contactInput>[0] = {}, client = api) {
    const res = await client.post('/v1/contacts', contactInput(overrides));
    expect(res.status).toBe(201);
    return res.body.data;
  }

  it('creates, reads, partially updates and deletes a contact', async () => {
    const created = await create({ email: 'Case@Example.com', phone: '+1 415 555 0100', tags: ['a'] });
    expect(created).toMatchObject({ email: 'case@example.com', phone: '+14155550100', version: 1 });
    const patched = await api.patch(`/v1/contacts/${created.id}`, { first_name: 'Grace', phone: null });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ first_name: 'Grace', last_name: 'Lovelace', phone: null, tags: ['a'], version: 2 });
    expect((await api.get(`/v1/contacts/${created.id}`)).body.data).toEqual(patched.body.data);
    const deleted = await api.delete(`/v1/contacts/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expect((await api.get(`/v1/contacts/${created.id}`)).status).toBe(404);
    expect((await api.delete(`/v1/contacts/${created.id}`)).status).toBe(404);
  });

  it('answers 400 with per-field details for bad bodies and query params', async () => {
    const c = await create();
    const bad = await api.patch(`/v1/contacts/${c.id}`, { email: null, phone: '12', nickname: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'nickname', 'phone']);
    for (const query of ['limit=101', 'limit=0', 'page=0', 'sort=name', 'updated_since=yesterday', 'colour=red', 'cursor=bogus']) {
      const res = await api.get(`/v1/contacts?${query}`);
      expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'validation_failed']);
    }
    expect((await api.post(`/v1/contacts/${c.id}/tags`, { tags: [] })).status).toBe(400);
    expect((await api.post(`/v1/contacts/${c.id}/activities`, { type: 'Has Spaces' })).status).toBe(400);
  });

  it('answers 409 naming the existing contact for a duplicate email, whatever its case', async () => {
    const first = await create();
    const again = await api.post('/v1/contacts', contactInput({ email: first.email.toUpperCase() }));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', existing_id: first.id });
    const other = await create();
    const clash = await api.patch(`/v1/contacts/${other.id}`, { email: first.email });
    expect(clash.status).toBe(409);
    expect(clash.body.error.existing_id).toBe(first.id);
  });

  it('lists with page+limit and cursors, meta and links', async () => {
    const t = await createTenant(stack.gatewayUrl);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create({}, t.api)).id);
    const first = await t.api.get('/v1/contacts?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
    expect(first.body.meta).toMatchObject({ limit: 2, has_more: true });
    expect(first.body.links.next).toContain(`cursor=${first.body.meta.next_cursor}`);
    const second = await t.api.get(first.body.links.next);
    expect(second.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(2, 4));
    const third = await t.api.get('/v1/contacts?limit=2&page=3');
    expect(third.body.data.map((c: { id: string }) => c.id)).toEqual(ids.slice(4));
    expect(third.body.meta).toMatchObject({ page: 3, limit: 2, has_more: false });
    expect(third.body.links.next).toBeUndefined();
    const all = await t.api.get('/v1/contacts');
    expect(all.body.meta.limit).toBe(50);
    expect(all.body.data).toHaveLength(5);
  });

  it('filters by tag and q, sorts, and syncs incrementally with updated_since and a cursor', async () => {
    const t = await createTenant(stack.gatewayUrl);
    const amy = await create({ email: 'amy@one.io', first_name: 'Amy', tags: ['vip'] }, t.api);
    const bob = await create({ email: 'bob@two.io', first_name: 'Bob', last_name: 'Amsel' }, t.api);
    const cy = await create({ email: 'cy@three.io', first_name: 'Cy' }, t.api);
    const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((c) => c.id);
    expect(ids(await t.api.get('/v1/contacts?tag=vip'))).toEqual([amy.id]);
    expect(ids(await t.api.get('/v1/contacts?q=am'))).toEqual([amy.id, bob.id]);
    expect(ids(await t.api.get('/v1/contacts?sort=-email'))).toEqual([cy.id, bob.id, amy.id]);
    expect(ids(await t.api.get('/v1/contacts?sort=created_at:desc&limit=1'))).toEqual([cy.id]);

    const since = encodeURIComponent(new Date(Date.parse(amy.created_at) - 1000).toISOString());
    // Sync order shows a change once every transaction older than it has ended, anywhere on the PostgreSQL
    // server (xids are server-wide): on a busy server the three may appear a moment later — never out of order.
    const walk = async () => {
      let page = await t.api.get(`/v1/contacts?updated_since=${since}&limit=2`);
      const seen = ids(page);
      while (page.body.meta.has_more) {
        page = await t.api.get(page.body.links.next);
        seen.push(...ids(page));
      }
      return { seen, last: page };
    };
    const { seen, last: sync } = await eventually(walk, (w) => w.seen.length >= 3);
    expect(new Set(seen)).toEqual(new Set([amy.id, bob.id, cy.id]));
    expect(seen).toHaveLength(3);
    // The last page still hands back a cursor: the next run resumes there and sees only what changed since.
    const resume = sync.body.meta.next_cursor as string;
    expect(resume).toEqual(expect.any(String));
    await t.api.patch(`/v1/contacts/${bob.id}`, { first_name: 'Robert' });
    let later: string[] = [];
    for (let i = 0; i < 50 && !later.length; i++) {
      later = ids(await t.api.get(`/v1/contacts?cursor=${resume}`));
      if (!later.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(later).toEqual([bob.id]);
  });

  it('adds and removes tags', async () => {
    const c = await create({ tags: ['a'] });
    const added = await api.post(`/v1/contacts/${c.id}/tags`, { tags: ['b', 'c'] });
    expect(added.status).toBe(200);
    expect(added.body.data).toMatchObject({ tags: ['a', 'b', 'c'], version: 2 });
    const removed = await api.request('DELETE', `/v1/contacts/${c.id}/tags`, { tags: ['a', 'c'] });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toMatchObject({ tags: ['b'], version: 3 });
  });

  it('records and lists activities with pagination', async () => {
    const c = await create();
    for (const amount of [1, 2, 3]) {
      const res = await api.post(`/v1/contacts/${c.id}/activities`, {
        type: 'purchase',
        occurred_at: new Date(Date.UTC(2025, 0, amount)).toISOString(),
        properties: { amount },
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ contact_id: c.id, type: 'purchase', properties: { amount } });
    }
    const first = await api.get(`/v1/contacts/${c.id}/activities?limit=2`);
    expect(first.body.data.map((a: { properties: { amount: number } }) => a.properties.amount)).toEqual([3, 2]);
    expect(first.body.meta.has_more).toBe(true);
    const next = await api.get(first.body.links.next);
    expect(next.body.data.map((a: { properties: { amount: number } }) => a.properties.amount)).toEqual([1]);
  });

  it('batch-upserts by email with a result per row; bad rows do not sink good ones; 413 over 1 000', async () => {
    const existing = await create({ first_name: 'Before' });
    const res = await api.post('/v1/contacts/batch', {
      contacts: [{ email: uniqueEmail(), first_name: 'New' }, { email: 'broken' }, { email: existing.email, first_name: 'After' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.data.results).toEqual([
      { index: 0, status: 'created', id: expect.stringMatching(/^con_/) },
      { index: 1, status: 'error', error: expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ field: 'email' })] }) },
      { index: 2, status: 'updated', id: existing.id },
    ]);
    expect((await api.get(`/v1/contacts/${existing.id}`)).body.data).toMatchObject({ first_name: 'After', version: 2 });
    const tooMany = await api.post('/v1/contacts/batch', { contacts: Array.from({ length: 1001 }, (_, i) => ({ email: `r${i}@x.io` })) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.code).toBe('payload_too_large');
    expect((await api.post('/v1/contacts/batch', { contacts: [] })).status).toBe(400);
    expect((await api.post('/v1/contacts/batch', { rows: [] })).status).toBe(400);
  });

  it('deletes personal data and activities (GDPR)', async () => {
    const c = await create();
    await api.post(`/v1/contacts/${c.id}/activities`, { type: 'login' });
    expect((await api.delete(`/v1/contacts/${c.id}`)).status).toBe(204);
    expect((await api.get(`/v1/contacts/${c.id}/activities`)).status).toBe(404);
    const reuse = await api.post('/v1/contacts', contactInput({ email: c.email }));
    expect(reuse.status).toBe(201);
    expect(reuse.body.data.id).not.toBe(c.id);
  });

  it("answers 404 to another tenant for every route on this tenant's contact", async () => {
    const c = await create();
    const other = (await createTenant(stack.gatewayUrl)).api;
    const attempts = [
      other.get(`/v1/contacts/${c.id}`),
      other.patch(`/v1/contacts/${c.id}`, { first_name: 'Mallory' }),
      other.delete(`/v1/contacts/${c.id}`),
      other.post(`/v1/contacts/${c.id}/tags`, { tags: ['x'] }),
      other.request('DELETE', `/v1/contacts/${c.id}/tags`, { tags: ['x'] }),
      other.post(`/v1/contacts/${c.id}/activities`, { type: 'x' }),
      other.get(`/v1/contacts/${c.id}/activities`),
    ];
    for (const res of await Promise.all(attempts)) expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
    expect((await other.get('/v1/contacts')).body.data.find((x: { id: string }) => x.id === c.id)).toBeUndefined();
    expect((await api.get(`/v1/contacts/${c.id}`)).body.data.first_name).toBe('Ada');
  });

  it('keeps test-mode data apart from live data', async () => {
    const t = await createTenant(stack.gatewayUrl);
    const live = await create({}, t.api);
    const testMode = await t.client({ mode: 'test' });
    expect((await testMode.get(`/v1/contacts/${live.id}`)).status).toBe(404);
    expect((await testMode.get('/v1/contacts')).body.data).toEqual([]);
    const sandbox = await create({ email: live.email }, testMode);
    expect((await t.api.get('/v1/contacts')).body.data.map((c: { id: string }) => c.id)).toEqual([live.id]);
    expect((await testMode.get('/v1/contacts')).body.data.map((c: { id: string }) => c.id)).toEqual([sandbox.id]);
  });

  it('needs contacts:write to change and contacts:read to read', async () => {
    const c = await create();
    const reader = await tenant.client({ scopes: ['contacts:read'] });
    expect((await reader.get(`/v1/contacts/${c.id}`)).status).toBe(200);
    expect((await reader.get('/v1/contacts')).status).toBe(200);
    const denied = [
      reader.post('/v1/contacts', contactInput()),
      reader.patch(`/v1/contacts/${c.id}`, { first_name: 'X' }),
      reader.delete(`/v1/contacts/${c.id}`),
      reader.post('/v1/contacts/batch', { contacts: [contactInput()] }),
      reader.post(`/v1/contacts/${c.id}/tags`, { tags: ['x'] }),
      reader.post(`/v1/contacts/${c.id}/activities`, { type: 'x' }),
    ];
    for (const res of await Promise.all(denied)) expect([res.status, res.body.error.code]).toEqual([403, 'insufficient_scope']);
    const writerOnly = await tenant.client({ scopes: ['contacts:write'] });
    expect((await writerOnly.get(`/v1/contacts/${c.id}`)).status).toBe(403);
  });
});
