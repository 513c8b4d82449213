/**
 * Segments through the gateway, every service its own process: rule
 * validation with JSON paths, background build, preview, members and count,
 * live membership events from contact changes made at the gateway, the
 * contacts `segment_id` filter, scopes, tenant isolation, injection attempts.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { EventTopics, type DomainEvent } from '@sigil/contracts';
import { ApiClient, contactInput, createTenant, EventSpy, eventually, TestStack, type TestTenant } from '@sigil/testing';

let stack: TestStack;
let tenant: TestTenant;
let api: ApiClient;
let spy: EventSpy;

beforeAll(async () => {
  stack = await TestStack.start({ serviceEnv: { segments: { SEGMENTS_BUILD_POLL_MS: '100' } } });
  tenant = await createTenant(stack.gatewayUrl);
  api = tenant.api;
  spy = await EventSpy.start([EventTopics.segments]);
}, 300_000); // a whole stack of processes; slow on a busy machine

afterAll(async () => {
  await spy?.stop();
  await stack?.close();
});

/** Polls until the probe yields a value (anything but undefined); fails naming what it waited for. */
const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> =>
  eventually(probe, (v) => v !== undefined, { timeoutMs, stepMs: 100 }).catch((err: Error) => {
    throw new Error(`timed out waiting for ${what}: ${err.message}`);
  }) as Promise<T>;

async function readySegment(client: ApiClient, rules: unknown): Promise<string> {
  const res = await client.post('/v1/segments', { name: 'S', rules });
  expect(res.status).toBe(201);
  const id = res.body.data.id as string;
  await until('segment ready', async () => ((await client.get(`/v1/segments/${id}`)).body.data.status === 'ready' ? true : undefined));
  return id;
}

const membershipOf = (contactId: string, segmentId: string) => (e: DomainEvent) =>
  (e.data as { contact_id?: string; segment_id?: string }).contact_id === contactId && (e.data as { segment_id?: string }).segment_id === segmentId;

describe('segments', () => {
  it('rejects invalid rules with the JSON path of the bad node', async () => {
    const res = await api.post('/v1/segments', {
      name: 'Bad',
      rules: {
        and: [
          { tag: 'vip', op: 'has' },
          { attribute: 'email', op: 'sounds_like', value: 'x' },
          { activity: 'buy', op: 'at_least' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['rules.and[1].op', 'rules.and[2].count']);
    const missing = await api.post('/v1/segments', { name: 'No rules' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].field).toBe('rules');
  });

  it('builds, counts, lists contacts and previews; follows contact changes with entered/exited events', async () => {
    const first = await api.post('/v1/contacts', contactInput({ tags: ['vip'], custom_fields: {} }));
    expect(first.status).toBe(201);
    const preview = await until('contact in read model', async () => {
      const res = await api.post('/v1/segments/preview', { rules: { tag: 'vip', op: 'has' }, limit: 5 });
      return res.body.data.count === 1 ? res : undefined;
    });
    expect(preview.status).toBe(200);
    expect(preview.body.data.contacts[0]).toMatchObject({ id: first.body.data.id, tags: ['vip'] });

    const segment = await readySegment(api, {
      and: [
        { tag: 'vip', op: 'has' },
        { attribute: 'email', op: 'ends_with', value: '@example.com' },
      ],
    });
    expect((await api.get(`/v1/segments/${segment}/count`)).body.data).toEqual({ segment_id: segment, count: 1, status: 'ready' });
    const contacts = await api.get(`/v1/segments/${segment}/contacts?limit=10`);
    expect(contacts.body.data.map((c: { id: string }) => c.id)).toEqual([first.body.data.id]);
    expect(contacts.body.meta).toMatchObject({ limit: 10, has_more: false });
    const filtered = await api.get(`/v1/contacts?segment_id=${segment}`);
    expect(filtered.status).toBe(200);
    expect(filtered.body.data.map((c: { id: string }) => c.id)).toEqual([first.body.data.id]);

    // Live: a new contact enters, a tag removal exits, deletion exits.
    const second = (await api.post('/v1/contacts', contactInput({ tags: ['vip'] }))).body.data.id as string;
    await spy.waitFor((e) => e.type === 'segment.contact_entered' && membershipOf(second, segment)(e), 20000);
    expect((await api.request('DELETE', `/v1/contacts/${second}/tags`, { tags: ['vip'] })).status).toBeLessThan(300);
    await spy.waitFor((e) => e.type === 'segment.contact_exited' && membershipOf(second, segment)(e), 20000);
    expect((await api.post(`/v1/contacts/${second}/tags`, { tags: ['vip'] })).status).toBeLessThan(300);
    await spy.waitFor(() => spy.matching(membershipOf(second, segment)).length === 3, 20000);
    expect((await api.delete(`/v1/contacts/${second}`)).status).toBe(204);
    await spy.waitFor(() => spy.matching(membershipOf(second, segment)).length === 4, 20000);
    expect(spy.matching(membershipOf(second, segment)).map((e) => e.type)).toEqual([
      'segment.contact_entered',
      'segment.contact_exited',
      'segment.contact_entered',
      'segment.contact_exited',
    ]);
    expect(spy.matching(membershipOf(first.body.data.id, segment))).toEqual([]); // the first build is silent
  });

  it('enters a contact on an activity recorded at the gateway', async () => {
    const segment = await readySegment(api, { activity: 'purchase', op: 'at_least', count: 1, within_days: 30, where: [{ property: 'amount', op: 'gte', value: 20 }] });
    const contact = (await api.post('/v1/contacts', contactInput())).body.data.id as string;
    expect((await api.post(`/v1/contacts/${contact}/activities`, { type: 'purchase', properties: { amount: 5 } })).status).toBe(201);
    expect((await api.post(`/v1/contacts/${contact}/activities`, { type: 'purchase', properties: { amount: 25 } })).status).toBe(201);
    await spy.waitFor((e) => e.type === 'segment.contact_entered' && membershipOf(contact, segment)(e), 20000);
    expect(spy.matching(membershipOf(contact, segment))).toHaveLength(1);
  });

  it('edits rules (rebuild), updates the name, deletes', async () => {
    const segment = await readySegment(api, { tag: 'nobody', op: 'has' });
    const renamed = await api.patch(`/v1/segments/${segment}`, { name: 'Renamed', rules: { tag: 'still-nobody', op: 'has' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Renamed', rules: { tag: 'still-nobody', op: 'has' } });
    await until('rebuilt', async () => ((await api.get(`/v1/segments/${segment}`)).body.data.status === 'ready' ? true : undefined));
    const listed = await api.get('/v1/segments?limit=100');
    expect(listed.body.data.map((s: { id: string }) => s.id)).toContain(segment);
    expect((await api.delete(`/v1/segments/${segment}`)).status).toBe(204);
    expect((await api.get(`/v1/segments/${segment}`)).status).toBe(404);
  });

  it('needs segments:read / segments:write', async () => {
    const reader = await tenant.client({ scopes: ['segments:read'] });
    expect((await reader.post('/v1/segments/preview', { rules: { tag: 'x', op: 'has' } })).status).toBe(200);
    const denied = await reader.post('/v1/segments', { name: 'x', rules: { tag: 'x', op: 'has' } });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('insufficient_scope');
    const listsOnly = await tenant.client({ scopes: ['lists:read'] });
    expect((await listsOnly.get('/v1/segments')).status).toBe(403);
  });

  it('hides another tenant’s and the other mode’s segments (404) and keeps previews per tenant', async () => {
    const segment = await readySegment(api, { tag: 'vip', op: 'has' });
    const other = await createTenant(stack.gatewayUrl);
    const testMode = await tenant.client({ mode: 'test' });
    for (const client of [other.api, testMode]) {
      for (const path of [`/v1/segments/${segment}`, `/v1/segments/${segment}/count`, `/v1/segments/${segment}/contacts`]) {
        expect((await client.get(path)).status).toBe(404);
      }
      expect((await client.patch(`/v1/segments/${segment}`, { name: 'x' })).status).toBe(404);
      expect((await client.delete(`/v1/segments/${segment}`)).status).toBe(404);
      expect((await client.post('/v1/segments/preview', { rules: { tag: 'vip', op: 'has' } })).body.data.count).toBe(0);
    }
  });

  it('rebuilds a lost read model from the contacts snapshot with npm run segments:rebuild, while serving', async () => {
    const other = await createTenant(stack.gatewayUrl);
    const emails = [];
    for (let i = 0; i < 3; i++) {
      const res = await other.api.post('/v1/contacts', contactInput({ tags: ['rebuilt'] }));
      expect(res.status).toBe(201);
      emails.push(res.body.data.email as string);
    }
    const rules = {
      and: [
        { tag: 'rebuilt', op: 'has' },
        { attribute: 'email', op: 'in', value: emails },
      ],
    };
    const count = async () => (await other.api.post('/v1/segments/preview', { rules, limit: 0 })).body.data.count as number;
    await until('contacts in read model', async () => ((await count()) === 3 ? true : undefined));

    const db = new Client({ connectionString: stack.databaseUrl('segments') });
    await db.connect();
    try {
      await db.query(`DELETE FROM contacts WHERE tenant_id = $1`, [other.tenantId]); // the read model lost them
    } finally {
      await db.end();
    }
    expect(await count()).toBe(0);

    const segments = stack.get('segments');
    const code = await new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [resolve(__dirname, '../../../dist/apps/segments/src/rebuild.js')], {
        env: { ...process.env, ...segments.env },
        stdio: 'ignore',
      });
      child.once('exit', done);
    });
    expect(code).toBe(0);
    expect(await count()).toBe(3);
  });

  it('treats SQL in rule strings as plain data', async () => {
    const evil = `x'; DROP TABLE contacts; --`;
    const res = await api.post('/v1/segments/preview', {
      rules: {
        or: [
          { attribute: 'email', op: 'contains', value: evil },
          { custom_field: evil, op: 'eq', value: evil },
          { tag: evil, op: 'has' },
          { activity: evil, op: 'ever', where: [{ property: evil, op: 'eq', value: evil }] },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.count).toBe(0);
    expect((await api.post('/v1/segments/preview', { rules: { tag: 'vip', op: 'has' } })).body.data.count).toBeGreaterThan(0);
  });
});
