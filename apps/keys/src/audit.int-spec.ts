/**
 * The audit log and usage analytics on a real PostgreSQL: events written by
 * the keys service's use cases inside a request context carry the actor, IP,
 * user agent and request id (the platform's outbox writer); recording them is
 * idempotent and redacts secrets; the table is append-only for the writer
 * role and for the owner (only the 1-year purge deletes); queries filter,
 * page by cursor and never cross tenants. Hourly usage is recorded, reported
 * by outcome and route, and purged after 90 days.
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type DomainEvent, type RequestContext } from '@sigil/contracts';
import { newId, runWithContext, type LogContext } from '@sigil/platform';
import { rejection, TestDatabase, uniqueEmail, validatedRequest } from '@sigil/testing';
import { REDACTED } from './audit/audit-entry';
import { AUDIT_WRITER_ROLE } from './audit/audit.repository';
import { KEYS_MIGRATIONS } from './migrations';
import { keysServices, signedUpTenant, type KeysServices } from './test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let sessions: KeysServices['sessions'];
let keys: KeysServices['keys'];
let audit: KeysServices['audit'];
let usage: KeysServices['usage'];

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS, 5);
  ds = db.dataSource;
  ({ sessions, keys, audit, usage } = keysServices(ds, { LOGIN_MAX_FAILURES: 2 }));
});

afterAll(async () => {
  await db?.drop();
});

/** A request as the gateway forwards it: credential, client and request id in the context. */
function asRequest<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  const log: LogContext = { request_id: ctx.request_id, tenant_id: ctx.tenant_id, principal: ctx.principal, client: ctx.client };
  return runWithContext(log, fn);
}

/** A signed-up tenant whose owner calls from a known client. */
async function tenant() {
  const { account, password, ctx } = await signedUpTenant(sessions, 'Audit Co');
  return { account, password, ctx: { ...ctx, client: { ip: '203.0.113.7', user_agent: 'audit-test/1.0' } } satisfies RequestContext };
}

/** Every event the outbox holds for a tenant, as the audit consumer receives them from Kafka. */
async function outboxEvents(tenantId: string): Promise<DomainEvent[]> {
  const rows: { envelope: DomainEvent }[] = await ds.query(`SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 ORDER BY seq`, [tenantId]);
  return rows.map((r) => r.envelope);
}

async function recordAll(tenantId: string): Promise<number> {
  return audit.record(await outboxEvents(tenantId));
}

async function list(ctx: RequestContext, query: Record<string, unknown> = {}) {
  const { query: q } = await validatedRequest(KeyRpc.auditLog, { query });
  return audit.list(ctx, q);
}

describe('audit log recording', () => {
  it('records a change with the actor, IP, user agent, request id and before/after, once per event', async () => {
    const { ctx } = await tenant();
    const created = await asRequest(ctx, async () =>
      keys.create(ctx, (await validatedRequest(KeyRpc.createKey, { body: { name: 'ci', environment: 'live', scopes: ['contacts:read'] } })).body),
    );
    const updateCtx = { ...ctx, request_id: newId('req') };
    await asRequest(updateCtx, async () =>
      keys.update(
        updateCtx,
        created.id,
        (await validatedRequest(KeyRpc.updateKey, { params: { id: created.id }, body: { name: 'ci-2', scopes: ['contacts:write'] } })).body,
      ),
    );
    expect(await recordAll(ctx.tenant_id)).toBe(2);
    // Redelivery (at-least-once Kafka) records nothing twice.
    expect(await recordAll(ctx.tenant_id)).toBe(0);

    const page = await list(ctx);
    expect(page.data.map((e) => e.action)).toEqual(['api_key.updated', 'api_key.created']);
    const [updated] = page.data;
    expect(updated).toMatchObject({
      actor: { type: 'user', id: ctx.principal!.id },
      resource: { type: 'api_key', id: created.id },
      ip: '203.0.113.7',
      user_agent: 'audit-test/1.0',
      request_id: updateCtx.request_id,
      mode: 'live',
      changes: {
        before: { name: 'ci', scopes: ['contacts:read'] },
        after: { id: created.id, scopes: ['contacts:write'] },
      },
    });
    // The secret the creation returned is nowhere in the log.
    expect(JSON.stringify(page.data)).not.toContain(created.key);
  });

  it('records sign-ins, successful and failed (wrong password, then throttled), with the client', async () => {
    const { account, password, ctx } = await tenant();
    const login: LogContext = { request_id: newId('req'), client: { ip: '198.51.100.9', user_agent: 'browser' } };
    await runWithContext(login, () => sessions.login({ email: account.user.email, password }));
    for (let i = 0; i < 2; i++) {
      await runWithContext(login, () => rejection(sessions.login({ email: account.user.email, password: 'wrong-password-1' })));
    }
    expect(await runWithContext(login, () => rejection(sessions.login({ email: account.user.email, password })))).toMatchObject({ status: 429 });
    await recordAll(ctx.tenant_id);
    const entries = (await list(ctx)).data;
    expect(entries.map((e) => [e.action, (e.changes.after as { reason?: string }).reason])).toEqual([
      ['user.sign_in_failed', 'throttled'],
      ['user.sign_in_failed', 'invalid_password'],
      ['user.sign_in_failed', 'invalid_password'],
      ['user.signed_in', undefined],
    ]);
    for (const e of entries)
      expect(e).toMatchObject({ actor: { type: 'user', id: account.user.id }, ip: '198.51.100.9', user_agent: 'browser', request_id: login.request_id });
    // An unknown email belongs to no tenant: nothing to record, and no error either.
    expect(await runWithContext(login, () => rejection(sessions.login({ email: uniqueEmail(), password })))).toMatchObject({ status: 401 });
  });

  it('redacts secrets at any depth, keeps deletions as before, and skips system and data-plane events', async () => {
    const { ctx } = await tenant();
    const base = { tenant_id: ctx.tenant_id, mode: 'live' as const, occurred_at: new Date().toISOString(), version: 1 as const };
    const actor = { actor: { type: 'api_key' as const, id: 'key_x' }, resource_id: 'whe_1' };
    const events = [
      {
        ...base,
        id: newId('evt'),
        type: 'webhook.updated',
        data: { endpoint: { id: 'whe_1', url: 'https://x.test', secret: 'whsec_abc', headers: { 'X-Token': 'v' }, nested: [{ password: 'p' }] } },
        meta: { ...actor, previous: { signing_secret: 'whsec_old', url: 'https://old.test' } },
      },
      { ...base, id: newId('evt'), type: 'webhook.deleted', data: { id: 'whe_1' }, meta: { ...actor, previous: { url: 'https://x.test' } } },
      { ...base, id: newId('evt'), type: 'segment.deleted', data: { id: 'seg_1' }, meta: { ...actor, resource_id: 'seg_1' } },
      { ...base, id: newId('evt'), type: 'contact.created', data: {}, meta: actor },
      { ...base, id: newId('evt'), type: 'list.member_added', data: {}, meta: actor },
      { ...base, id: newId('evt'), type: 'webhook.endpoint_disabled', data: { endpoint_id: 'whe_1', reason: 'failing' } },
      { ...base, id: newId('evt'), type: 'suppression.created', data: { id: 'sup_1', email: 'a@b.test' }, meta: { ...actor, resource_id: 'sup_1' } },
    ] as unknown as DomainEvent[];
    expect(await audit.record(events)).toBe(4);
    const byAction = Object.fromEntries((await list(ctx)).data.map((e) => [e.action, e]));
    expect(Object.keys(byAction).sort()).toEqual(['segment.deleted', 'suppression.created', 'webhook.deleted', 'webhook.updated']);
    expect(byAction['webhook.updated']!.changes).toEqual({
      before: { signing_secret: REDACTED, url: 'https://old.test' },
      after: { endpoint: { id: 'whe_1', url: 'https://x.test', secret: REDACTED, headers: REDACTED, nested: [{ password: REDACTED }] } },
    });
    expect(byAction['webhook.deleted']!.changes).toEqual({ before: { url: 'https://x.test' }, after: null });
    expect(byAction['segment.deleted']!.changes).toEqual({ before: { id: 'seg_1' }, after: null });
    // An event type no code here knows is recorded all the same (generic mapping).
    expect(byAction['suppression.created']).toMatchObject({ resource: { type: 'suppression', id: 'sup_1' }, actor: { type: 'api_key', id: 'key_x' } });
  });
});

describe('audit log is append-only', () => {
  let entryId: string;
  beforeAll(async () => {
    const { ctx } = await tenant();
    await asRequest(ctx, async () => keys.create(ctx, (await validatedRequest(KeyRpc.createKey, { body: { name: 'a', environment: 'live', scopes: ['*'] } })).body));
    await recordAll(ctx.tenant_id);
    entryId = (await list(ctx)).data[0]!.id;
  });

  async function failure(sql: string, role?: string): Promise<string> {
    return ds.transaction(async (m) => {
      if (role) await m.query(`SET LOCAL ROLE ${role}`);
      return m.query(sql).then(
        () => 'succeeded',
        (e: Error) => e.message,
      );
    });
  }

  it('refuses UPDATE, DELETE and TRUNCATE to the writer role (privileges)', async () => {
    expect(await failure(`UPDATE audit_log SET action = 'x' WHERE id = '${entryId}'`, AUDIT_WRITER_ROLE)).toMatch(/permission denied/);
    expect(await failure(`DELETE FROM audit_log WHERE id = '${entryId}'`, AUDIT_WRITER_ROLE)).toMatch(/permission denied/);
    expect(await failure(`TRUNCATE audit_log`, AUDIT_WRITER_ROLE)).toMatch(/permission denied/);
    expect(await failure(`SELECT audit_log_purge(10)`, AUDIT_WRITER_ROLE)).toMatch(/permission denied/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the owner too (triggers), even with the purge flag on a recent entry', async () => {
    expect(await failure(`UPDATE audit_log SET action = 'x' WHERE id = '${entryId}'`)).toMatch(/append-only/);
    expect(await failure(`DELETE FROM audit_log WHERE id = '${entryId}'`)).toMatch(/append-only/);
    expect(await failure(`TRUNCATE audit_log`)).toMatch(/append-only/);
    expect(await failure(`SELECT set_config('sigil.audit_purge', 'on', true); DELETE FROM audit_log WHERE id = '${entryId}'`)).toMatch(/append-only/);
    expect(await ds.query(`SELECT 1 FROM audit_log WHERE id = $1`, [entryId])).toHaveLength(1);
  });

  it('the retention purge deletes entries older than a year, and only those', async () => {
    const { ctx } = await tenant();
    const base = { tenant_id: ctx.tenant_id, mode: 'live' as const, version: 1 as const, type: 'list.deleted', data: { id: 'lst_1' } };
    const meta = { actor: { type: 'user' as const, id: ctx.principal!.id }, resource_id: 'lst_1' };
    const old = { ...base, id: newId('evt'), occurred_at: new Date(Date.now() - 400 * 86_400_000).toISOString(), meta };
    const recent = { ...base, id: newId('evt'), occurred_at: new Date(Date.now() - 300 * 86_400_000).toISOString(), meta };
    await audit.record([old, recent] as unknown as DomainEvent[]);
    expect(await audit.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect((await list(ctx)).data.map((e) => e.id)).toEqual([recent.id]);
  });
});

describe('audit log queries', () => {
  it('filters (actor, action, resource, time range), pages by cursor without gaps or repeats, and refuses forged cursors', async () => {
    const { ctx } = await tenant();
    const other = { ...ctx, principal: { kind: 'api_key' as const, id: newId('key'), scopes: ['*'] } };
    const base = { tenant_id: ctx.tenant_id, mode: 'live' as const, version: 1 as const };
    const start = Date.now() - 3_600_000;
    const events = Array.from({ length: 25 }, (_, i) => ({
      ...base,
      id: newId('evt', start + i * 1000),
      // Two entries share each timestamp: the cursor's id breaks the tie.
      occurred_at: new Date(start + Math.floor(i / 2) * 60_000).toISOString(),
      type: i % 5 === 0 ? 'list.deleted' : 'list.created',
      data: { id: `lst_${i % 3}` },
      meta: { actor: i % 2 ? { type: 'api_key', id: other.principal.id } : { type: 'user', id: ctx.principal!.id }, resource_id: `lst_${i % 3}` },
    })) as unknown as DomainEvent[];
    await audit.record(events);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(ctx, { limit: '7', ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((e) => e.id));
      cursor = page.page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = (await list(ctx, { limit: '100' })).data;
    expect(all.map((e) => e.id)).toEqual(seen);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.occurred_at >= all[i]!.occurred_at).toBe(true);

    expect((await list(ctx, { actor_id: other.principal.id, limit: '100' })).data).toHaveLength(12);
    expect((await list(ctx, { action: 'list.deleted', limit: '100' })).data).toHaveLength(5);
    expect(
      (await list(ctx, { resource_id: 'lst_0', action: 'list.created', limit: '100' })).data.every((e) => e.resource.id === 'lst_0' && e.action === 'list.created'),
    ).toBe(true);
    const since = new Date(start + 5 * 60_000).toISOString();
    const until = new Date(start + 8 * 60_000).toISOString();
    const window = (await list(ctx, { since, until, limit: '100' })).data;
    expect(window).toHaveLength(6);
    expect(window.every((e) => e.occurred_at >= since && e.occurred_at < until)).toBe(true);

    expect(await rejection(list(ctx, { cursor: 'bm90LWEtY3Vyc29y' }))).toMatchObject({ status: 400 });
    expect(await rejection(list(ctx, { action: 'DROP TABLE' }))).toMatchObject({ status: 400 });
    expect(await rejection(list(ctx, { since: until, until: since }))).toMatchObject({ status: 400 });
  });

  it("never returns another tenant's entries, whatever the filters; a test-mode credential sees test entries only", async () => {
    const a = await tenant();
    const b = await tenant();
    await asRequest(a.ctx, async () => keys.create(a.ctx, (await validatedRequest(KeyRpc.createKey, { body: { name: 'a', environment: 'test', scopes: ['*'] } })).body));
    await asRequest(a.ctx, async () =>
      keys.create(a.ctx, (await validatedRequest(KeyRpc.createKey, { body: { name: 'live', environment: 'live', scopes: ['*'] } })).body),
    );
    await recordAll(a.ctx.tenant_id);
    const aEntries = (await list(a.ctx)).data;
    expect(aEntries).toHaveLength(2);
    expect((await list(b.ctx)).data).toEqual([]);
    expect((await list(b.ctx, { actor_id: a.ctx.principal!.id })).data).toEqual([]);
    expect((await list(b.ctx, { resource_id: aEntries[0]!.resource.id! })).data).toEqual([]);
    const testCtx: RequestContext = { ...a.ctx, mode: 'test' };
    expect((await list(testCtx)).data.map((e) => e.mode)).toEqual(['test']);
  });
});

describe('usage analytics', () => {
  it('records hourly counts by route and outcome, reports them per hour and per day, and keeps the daily report', async () => {
    const { ctx } = await tenant();
    const key = newId('key');
    const hour = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();
    const row = (h: number, route: string, outcome: 'ok' | 'rate_limited' | 'forbidden', count: number) => ({
      tenant_id: ctx.tenant_id,
      credential_id: key,
      hour: hour(h),
      route,
      outcome,
      count,
    });
    const { body } = await validatedRequest(KeyRpc.recordUsage, {
      body: {
        entries: [{ tenant_id: ctx.tenant_id, credential_id: key, day: '2026-11-02', status_class: '2xx', count: 5, last_used_at: hour(10) }],
        hourly: [
          row(9, 'GET /v1/contacts', 'ok', 3),
          row(10, 'GET /v1/contacts', 'ok', 2),
          row(10, 'POST /v1/contacts', 'rate_limited', 4),
          row(10, 'POST /v1/contacts', 'forbidden', 1),
        ],
      },
    });
    await usage.record(body.entries, body.hourly);
    // A second flush of the same bucket adds to it.
    await usage.record([], [row(10, 'GET /v1/contacts', 'ok', 1)]);

    const report = async (query: Record<string, string>) => usage.report(ctx, (await validatedRequest(KeyRpc.usage, { query })).query);
    expect(await report({ from: '2026-11-02', to: '2026-11-02', interval: 'hour', group_by: 'outcome' })).toEqual([
      { credential_id: key, at: hour(9), total: 3, outcomes: { ok: 3, unauthorized: 0, forbidden: 0, rate_limited: 0, invalid: 0, not_found: 0, error: 0 } },
      { credential_id: key, at: hour(10), total: 8, outcomes: { ok: 3, unauthorized: 0, forbidden: 1, rate_limited: 4, invalid: 0, not_found: 0, error: 0 } },
    ]);
    expect(await report({ from: '2026-11-02', to: '2026-11-02', interval: 'day', group_by: 'route', key_id: key })).toEqual([
      { credential_id: key, at: hour(0), total: 11, routes: { 'GET /v1/contacts': 6, 'POST /v1/contacts': 5 } },
    ]);
    expect(await report({ from: '2026-11-02T10:00:00Z', to: '2026-11-02T11:00:00Z', interval: 'hour' })).toMatchObject([{ at: hour(10), total: 8 }]);
    expect(await report({ from: '2026-11-02', to: '2026-11-02', key_id: newId('key'), interval: 'hour' })).toEqual([]);
    // Without interval/group_by: the first release's daily report by status class.
    expect(await report({ from: '2026-11-02', to: '2026-11-02' })).toEqual([{ credential_id: key, day: '2026-11-02', '2xx': 5, '3xx': 0, '4xx': 0, '5xx': 0, total: 5 }]);
    // Another tenant sees none of it.
    const other = await tenant();
    expect(await usage.report(other.ctx, { from: '2026-11-02', to: '2026-11-02', interval: 'hour' })).toEqual([]);
  });

  it('purges hourly counts older than 90 days', async () => {
    const { ctx } = await tenant();
    const at = (days: number) => new Date(Date.now() - days * 86_400_000 - ((Date.now() - days * 86_400_000) % 3_600_000)).toISOString();
    const entry = (days: number) => ({ tenant_id: ctx.tenant_id, credential_id: 'key_p', hour: at(days), route: 'GET /v1/me', outcome: 'ok' as const, count: 1 });
    await usage.record([], [entry(91), entry(89)]);
    await usage.purgeExpired();
    const left: { hour: Date }[] = await ds.query(`SELECT hour FROM usage_hourly WHERE tenant_id = $1`, [ctx.tenant_id]);
    expect(left.map((r) => r.hour.toISOString())).toEqual([at(89)]);
  });
});
