/**
 * The audit log and usage analytics through the gateway (SPEC §15): a change
 * made with an API key appears with that key as actor, the client's IP, user
 * agent and request id, from the keys service and from another service
 * (segments); sign-ins, failed ones included, are recorded; secrets never
 * appear; `audit:read` is required; another tenant's entries are never
 * returned. Usage is reported per hour by outcome and by route.
 */
import { ApiClient, createTenant, eventually, TestStack, type ApiResponse, type TestTenant } from '@sigil/testing';

interface Entry {
  id: string;
  action: string;
  actor: { type: string; id: string };
  resource: { type: string; id: string | null };
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: { before: unknown; after: unknown };
}

describe('audit log and usage analytics', () => {
  let stack: TestStack;
  let t: TestTenant;

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['keys', 'segments', 'gateway'], serviceEnv: { keys: { LOGIN_MAX_FAILURES: '3' } } });
    t = await createTenant(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.close();
  });

  /** The tenant's entries once `ok` holds for them (recording is asynchronous: outbox → Kafka → keys). */
  async function entriesWhen(client: ApiClient, query: string, ok: (entries: Entry[]) => boolean): Promise<Entry[]> {
    const res = await eventually(
      () => client.get(`/v1/audit-log${query}`),
      (r: ApiResponse) => r.status === 200 && ok(r.body.data as Entry[]),
      { timeoutMs: 20_000, stepMs: 200 },
    );
    return res.body.data as Entry[];
  }

  it('records a change made with an API key: the key as actor, with IP, user agent and request id, secrets redacted', async () => {
    const { id: actorKey, key } = await t.createKey({ name: 'automation', scopes: ['keys:write', 'keys:read', 'lists:write', 'audit:read'] });
    const client = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}`, 'user-agent': 'sigil-e2e/1.0' });
    const created = await client.post(
      '/v1/api-keys',
      { name: 'made by a key', environment: 'live', scopes: ['lists:write'] },
      { 'x-request-id': 'req_audit_create_0001' },
    );
    expect(created.status).toBe(201);
    const list = await client.post('/v1/lists', { name: 'audited list' }, { 'x-request-id': 'req_audit_list_00001' });
    expect(list.status).toBe(201);
    const revoked = await client.delete(`/v1/api-keys/${created.body.data.id}`);
    expect(revoked.status).toBe(204);

    const entries = await entriesWhen(client, `?actor_id=${actorKey}`, (e) => e.length >= 3);
    expect(entries.map((e) => e.action)).toEqual(['api_key.revoked', 'list.created', 'api_key.created']);
    for (const e of entries) expect(e).toMatchObject({ actor: { type: 'api_key', id: actorKey }, ip: '127.0.0.1', user_agent: 'sigil-e2e/1.0' });
    expect(entries[2]).toMatchObject({ request_id: 'req_audit_create_0001', resource: { type: 'api_key', id: created.body.data.id } });
    expect(entries[1]).toMatchObject({
      request_id: 'req_audit_list_00001',
      resource: { type: 'list', id: list.body.data.id },
      changes: { before: null, after: { list: { name: 'audited list' } } },
    });
    expect(JSON.stringify(entries)).not.toContain(created.body.data.key);

    // Filters by action and by resource.
    const byResource = await client.get(`/v1/audit-log?resource_id=${created.body.data.id}`);
    expect(byResource.body.data.map((e: Entry) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
    const byAction = await client.get(`/v1/audit-log?action=list.created&actor_id=${actorKey}`);
    expect(byAction.body.data).toHaveLength(1);
  });

  it('records sign-ins, successful and failed, with the client IP', async () => {
    const anon = new ApiClient(stack.gatewayUrl, { 'user-agent': 'login-form' });
    expect((await anon.post('/v1/auth/login', { email: t.email, password: 'not-the-password-1' })).status).toBe(401);
    expect((await anon.post('/v1/auth/login', { email: t.email, password: t.password })).status).toBe(200);
    const entries = await entriesWhen(t.session, '?action=user.sign_in_failed', (e) => e.length >= 1);
    expect(entries[0]).toMatchObject({ action: 'user.sign_in_failed', ip: '127.0.0.1', user_agent: 'login-form', changes: { after: { reason: 'invalid_password' } } });
    const ok = await entriesWhen(t.session, '?action=user.signed_in', (e) => e.length >= 1);
    expect(ok[0]).toMatchObject({ actor: { type: 'user' }, ip: '127.0.0.1' });
    // The password itself is never recorded.
    expect(JSON.stringify([...entries, ...ok])).not.toContain('not-the-password-1');
  });

  it('needs audit:read, pages by cursor, refuses bad filters, and never shows another tenant', async () => {
    const noScope = await t.client({ scopes: ['keys:read'] });
    const denied = await noScope.get('/v1/audit-log');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'insufficient_scope' });

    const first = await t.session.get('/v1/audit-log?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.meta).toMatchObject({ limit: 2, has_more: true });
    const second = await t.session.get(`/v1/audit-log?limit=2&cursor=${first.body.meta.next_cursor}`);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect((await t.session.get('/v1/audit-log?cursor=forged')).status).toBe(400);
    expect((await t.session.get('/v1/audit-log?since=yesterday')).status).toBe(400);
    expect((await t.session.get('/v1/audit-log?limit=1000')).status).toBe(400);

    const other: TestTenant = await createTenant(stack.gatewayUrl);
    const mine = (await t.session.get('/v1/audit-log?limit=100')).body.data as Entry[];
    const theirs = await other.session.get('/v1/audit-log?limit=100');
    expect(theirs.status).toBe(200);
    for (const e of theirs.body.data as Entry[]) expect(mine.map((m) => m.id)).not.toContain(e.id);
    for (const q of [`actor_id=${mine[0]!.actor.id}`, `resource_id=${mine[0]!.resource.id}`]) {
      expect((await other.session.get(`/v1/audit-log?${q}`)).body.data).toEqual([]);
    }
  });

  it('reports usage per key per hour by outcome and by route, 403s and 429s included', async () => {
    const { id, key } = await t.createKey({ name: 'metered', scopes: ['keys:read'], rate_limit_per_minute: 3 });
    const client = new ApiClient(stack.gatewayUrl, { authorization: `Bearer ${key}` });
    const statuses: number[] = [];
    statuses.push((await client.get('/v1/api-keys')).status);
    statuses.push((await client.get('/v1/lists')).status);
    statuses.push((await client.get('/v1/api-keys/key_00000000000000000000000000')).status);
    statuses.push((await client.get('/v1/api-keys')).status);
    expect(statuses).toEqual([200, 403, 404, 429]);

    const hourly = await eventually(
      () => t.session.get(`/v1/usage?key_id=${id}&interval=hour&group_by=outcome`),
      (r: ApiResponse) => r.body.data?.[0]?.total >= 4,
      { timeoutMs: 15_000, stepMs: 200 },
    );
    expect(hourly.body.data).toHaveLength(1);
    expect(hourly.body.data[0]).toMatchObject({
      credential_id: id,
      total: 4,
      outcomes: { ok: 1, forbidden: 1, not_found: 1, rate_limited: 1, unauthorized: 0, invalid: 0, error: 0 },
    });
    expect(hourly.body.data[0].at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/);
    const byRoute = await t.session.get(`/v1/usage?key_id=${id}&interval=day&group_by=route`);
    expect(byRoute.body.data[0].routes).toEqual({ 'GET /v1/api-keys': 2, 'GET /v1/lists': 1, 'GET /v1/api-keys/:id': 1 });
    // The first release's report is unchanged without interval/group_by.
    const daily = await t.session.get(`/v1/usage?key_id=${id}`);
    expect(daily.body.data[0]).toMatchObject({ credential_id: id, '2xx': 1, '4xx': 3, total: 4 });
    expect((await t.session.get('/v1/usage?interval=minute')).status).toBe(400);

    // A revoked key's refused requests count against it as unauthorized.
    expect((await t.session.delete(`/v1/api-keys/${id}`)).status).toBe(204);
    await eventually(
      () => client.get('/v1/me'),
      (r: ApiResponse) => r.status === 401,
      { timeoutMs: 5_000, stepMs: 100 },
    );
    const after = await eventually(
      () => t.session.get(`/v1/usage?key_id=${id}&interval=hour`),
      (r: ApiResponse) => r.body.data?.[0]?.outcomes?.unauthorized >= 1,
      { timeoutMs: 15_000, stepMs: 200 },
    );
    expect(after.body.data[0].outcomes.unauthorized).toBeGreaterThanOrEqual(1);
  });
});
