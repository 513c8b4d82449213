/**
 * Leaked keys on a real PostgreSQL (SPEC §15): a GitHub secret scanning report
 * (as the gateway forwards it, digests only) revokes or only reports each
 * Sigil key it names per the tenant's `leaked_key_policy`, emits
 * `api_key.leaked` (and `api_key.revoked`) with the system actor, which the
 * audit log records; a replayed report is a 401 that changes nothing; keys
 * that no longer work are reported, not revoked again. Settings changes and
 * operator plan changes are audited; failed logins for unknown emails are
 * counted for the operator only.
 */
import type { DataSource } from 'typeorm';
import { KeyRpc, type DomainEvent } from '@sigil/contracts';
import { generateApiKey, hashSecret, Metrics, newId, runWithContext, type LogContext } from '@sigil/platform';
import { rejection, TestDatabase, testPassword, uniqueEmail, validatedRequest } from '@sigil/testing';
import { randomBytes } from 'node:crypto';
import { KEYS_MIGRATIONS } from './migrations';
import { keysServices, signedUpTenant, type KeysServices } from './test/keys-services';

let db: TestDatabase;
let ds: DataSource;
let sessions: KeysServices['sessions'];
let keys: KeysServices['keys'];
let leaks: KeysServices['leaks'];
let tenants: KeysServices['tenants'];
let audit: KeysServices['audit'];

beforeAll(async () => {
  db = await TestDatabase.create('keys', KEYS_MIGRATIONS, 5);
  ds = db.dataSource;
  ({ sessions, keys, leaks, tenants, audit } = keysServices(ds));
});

afterAll(async () => {
  await db?.drop();
});

/** GitHub's client as the gateway forwards it. */
const GITHUB: LogContext = {
  request_id: newId('req'),
  principal: { kind: 'system', id: 'github_secret_scanning', scopes: [] },
  client: { ip: '192.30.252.1', user_agent: 'GitHub-Hookshot/abc' },
};

async function tenant() {
  const { account, ctx } = await signedUpTenant(sessions, 'Leaky Co');
  const key = async (environment: 'live' | 'test' = 'live') =>
    keys.create(ctx, (await validatedRequest(KeyRpc.createKey, { body: { name: 'leaky', environment, scopes: ['contacts:read'] } })).body);
  return { account, ctx, key };
}

/** A report as the gateway sends it: a fresh body digest each time unless given. */
async function report(secrets: string[], digest = randomBytes(32).toString('hex')) {
  const { body } = await validatedRequest(KeyRpc.reportLeakedKeys, {
    body: {
      report_sha256: digest,
      key_identifier: 'k1',
      matches: secrets.map((s) => ({ secret_hash: hashSecret(s), url: 'https://github.com/o/r/blob/1/.env', source: 'content' })),
    },
  });
  return runWithContext(GITHUB, () => leaks.report(body));
}

async function events(tenantId: string): Promise<DomainEvent[]> {
  const rows: { envelope: DomainEvent }[] = await ds.query(`SELECT envelope FROM outbox_events WHERE envelope->>'tenant_id' = $1 ORDER BY seq`, [tenantId]);
  return rows.map((r) => r.envelope);
}

describe('leaked keys', () => {
  it('policy revoke (the default): the key is revoked in the same transaction, api_key.leaked and api_key.revoked name GitHub, and are audited', async () => {
    const t = await tenant();
    const k = await t.key();
    const unknown = generateApiKey('live');
    const result = await report([k.key, unknown]);
    expect(result.found).toEqual([hashSecret(k.key)]);
    expect((await keys.verify(hashSecret(k.key))).state).toBe('revoked');
    const emitted = (await events(t.ctx.tenant_id)).filter((e) => e.type.startsWith('api_key.') && e.type !== 'api_key.created');
    expect(emitted.map((e) => e.type)).toEqual(['api_key.leaked', 'api_key.revoked']);
    expect(emitted[0]!.data).toEqual({
      id: k.id,
      prefix: k.prefix,
      environment: 'live',
      reported_by: 'github_secret_scanning',
      url: 'https://github.com/o/r/blob/1/.env',
      source: 'content',
      policy: 'revoke',
      revoked: true,
      status: 'revoked',
    });
    for (const e of emitted) expect(e.meta).toMatchObject({ actor: { type: 'system', id: 'github_secret_scanning' }, ip: '192.30.252.1', resource_id: k.id });
    await audit.record(await events(t.ctx.tenant_id));
    const entries = (await audit.list(t.ctx, (await validatedRequest(KeyRpc.auditLog, { query: { actor_id: 'github_secret_scanning' } })).query)).data;
    // Written in one transaction, within the same millisecond perhaps: their order in the log is not asserted.
    expect(entries.map((e) => [e.action, e.actor, e.resource]).sort()).toEqual([
      ['api_key.leaked', { type: 'system', id: 'github_secret_scanning' }, { type: 'api_key', id: k.id }],
      ['api_key.revoked', { type: 'system', id: 'github_secret_scanning' }, { type: 'api_key', id: k.id }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(k.key);
  });

  it('a replayed report (the same signed body) is a 401 and changes nothing; a report that names no Sigil key changes nothing either', async () => {
    const t = await tenant();
    await tenants.updateSettings(t.ctx, { leaked_key_policy: 'notify' });
    const k = await t.key();
    const digest = randomBytes(32).toString('hex');
    expect((await report([k.key], digest)).found).toHaveLength(1);
    const before = await events(t.ctx.tenant_id);
    // Meanwhile the tenant turns revocation on: a replay of the old report still revokes nothing.
    await tenants.updateSettings(t.ctx, { leaked_key_policy: 'revoke' });
    expect(await rejection(report([k.key], digest))).toMatchObject({ status: 401, code: 'replayed_request' });
    expect((await keys.verify(hashSecret(k.key))).state).toBe('active');
    expect((await events(t.ctx.tenant_id)).filter((e) => e.type.startsWith('api_key.'))).toEqual(before.filter((e) => e.type.startsWith('api_key.')));
    expect((await report([generateApiKey('live')])).found).toEqual([]);
  });

  it('policy notify: the key keeps working and api_key.leaked says so; a later report under revoke revokes it', async () => {
    const t = await tenant();
    expect(await tenants.updateSettings(t.ctx, { leaked_key_policy: 'notify' })).toMatchObject({ leaked_key_policy: 'notify' });
    const k = await t.key('test');
    await report([k.key]);
    expect((await keys.verify(hashSecret(k.key))).state).toBe('active');
    const leaked = (await events(t.ctx.tenant_id)).filter((e) => e.type === 'api_key.leaked');
    expect(leaked.map((e) => [e.mode, e.data])).toEqual([['test', expect.objectContaining({ environment: 'test', policy: 'notify', revoked: false, status: 'active' })]]);
    await tenants.updateSettings(t.ctx, { leaked_key_policy: 'revoke' });
    await report([k.key]);
    expect((await keys.verify(hashSecret(k.key))).state).toBe('revoked');
  });

  it('a key that no longer works is a true positive but is not revoked again; a rotated-out secret past its grace revokes nothing', async () => {
    const t = await tenant();
    const revoked = await t.key();
    await keys.revoke(t.ctx, revoked.id);
    const rotated = await t.key();
    const fresh = await keys.rotate(t.ctx, rotated.id, { grace_period_seconds: 0 });
    const result = await report([revoked.key, rotated.key]);
    expect(result.found.sort()).toEqual([hashSecret(revoked.key), hashSecret(rotated.key)].sort());
    const leaked = Object.fromEntries((await events(t.ctx.tenant_id)).filter((e) => e.type === 'api_key.leaked').map((e) => [(e.data as { id: string }).id, e.data]));
    expect(leaked[revoked.id]).toMatchObject({ revoked: false, status: 'revoked' });
    expect(leaked[rotated.id]).toMatchObject({ revoked: false, status: 'active' });
    expect((await keys.verify(hashSecret(fresh.key))).state).toBe('active');
    expect((await events(t.ctx.tenant_id)).filter((e) => e.type === 'api_key.revoked')).toHaveLength(1);
  });

  it('keys of several tenants in one report: each tenant gets its own events under its own policy', async () => {
    const [a, b] = [await tenant(), await tenant()];
    await tenants.updateSettings(b.ctx, { leaked_key_policy: 'notify' });
    const [ka, kb] = [await a.key(), await b.key()];
    await report([ka.key, kb.key]);
    expect((await keys.verify(hashSecret(ka.key))).state).toBe('revoked');
    expect((await keys.verify(hashSecret(kb.key))).state).toBe('active');
    expect((await events(a.ctx.tenant_id)).filter((e) => e.type === 'api_key.leaked').map((e) => (e.data as { id: string }).id)).toEqual([ka.id]);
    expect((await events(b.ctx.tenant_id)).filter((e) => e.type === 'api_key.leaked').map((e) => (e.data as { id: string }).id)).toEqual([kb.id]);
  });
});

describe('settings and operator changes in the audit log', () => {
  it('leaked_key_policy: revoke by default; a change is live-mode only, audited with before and after; the same value is no change', async () => {
    const t = await tenant();
    expect(await tenants.settings(t.ctx)).toEqual({ leaked_key_policy: 'revoke', updated_at: null });
    expect(await rejection(tenants.updateSettings({ ...t.ctx, mode: 'test' }, { leaked_key_policy: 'notify' }))).toMatchObject({ status: 403 });
    const changed = await runWithContext({ request_id: t.ctx.request_id, principal: t.ctx.principal, client: { ip: '203.0.113.9' } }, () =>
      tenants.updateSettings(t.ctx, { leaked_key_policy: 'notify' }),
    );
    expect(changed).toEqual({ leaked_key_policy: 'notify', updated_at: expect.any(String) });
    expect(await tenants.updateSettings(t.ctx, { leaked_key_policy: 'notify' })).toEqual(changed);
    expect(await rejection(validatedRequest(KeyRpc.updateSettings, { body: {} }))).toMatchObject({ status: 400 });
    expect(await rejection(validatedRequest(KeyRpc.updateSettings, { body: { leaked_key_policy: 'ignore' } }))).toMatchObject({ status: 400 });
    await audit.record(await events(t.ctx.tenant_id));
    const [entry, ...rest] = (await audit.list(t.ctx, (await validatedRequest(KeyRpc.auditLog, { query: { action: 'tenant.settings_changed' } })).query)).data;
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      actor: { type: 'user', id: t.account.user.id },
      resource: { type: 'tenant', id: t.ctx.tenant_id },
      ip: '203.0.113.9',
      changes: { before: { leaked_key_policy: 'revoke' }, after: { leaked_key_policy: 'notify' } },
    });
  });

  it('an operator plan change is audited in the tenant’s log with the system actor operator and the operator’s client', async () => {
    const t = await tenant();
    await runWithContext(
      { request_id: newId('req'), principal: { kind: 'system', id: 'operator', scopes: [] }, client: { ip: '10.0.0.5', user_agent: 'sigil-admin' } },
      () => tenants.adminUpdate(t.ctx.tenant_id, { plan: 'pro' }),
    );
    await audit.record(await events(t.ctx.tenant_id));
    const entries = (await audit.list(t.ctx, (await validatedRequest(KeyRpc.auditLog, { query: { action: 'tenant.plan_changed' } })).query)).data;
    expect(entries).toEqual([
      expect.objectContaining({
        actor: { type: 'system', id: 'operator' },
        resource: { type: 'tenant', id: t.ctx.tenant_id },
        ip: '10.0.0.5',
        user_agent: 'sigil-admin',
        changes: { before: { plan: 'starter', custom_limits: null }, after: expect.objectContaining({ plan: 'pro' }) },
      }),
    ]);
  });

  it('a failed login for an unknown email is no tenant’s event, but the operator’s counter counts it', async () => {
    const counter = async (reason: string) => (await Metrics.forProcess().signInFailures.get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
    const before = await counter('unknown_email');
    const outbox = async () => Number((await ds.query(`SELECT count(*) AS n FROM outbox_events`))[0].n);
    const eventsBefore = await outbox();
    expect(
      await rejection(
        runWithContext({ request_id: newId('req'), client: { ip: '198.51.100.1' } }, () => sessions.login({ email: uniqueEmail(), password: testPassword() })),
      ),
    ).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect(await counter('unknown_email')).toBe(before + 1);
    expect(await outbox()).toBe(eventsBefore);
  });
});
