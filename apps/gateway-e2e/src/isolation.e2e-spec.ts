/**
 * Tenant and mode isolation, swept over the whole API: tenant A creates one
 * of everything; then for every route of `/v1/openapi.json` with a path id,
 * tenant B (live and test keys, all scopes or only the route's scope) and A's
 * own test-mode key call it with A's live ids and must get 404 — never
 * 200/403/5xx, never A's data in the body. Listings never show A's ids, and
 * A's ids smuggled into B's bodies and filters change nothing of A's. The
 * cases come from the OpenAPI document, so a new route is swept too (and
 * fails here until it has a fixture below).
 */
import { randomBytes } from 'node:crypto';
import { ApiClient, contactInput, createTenant, customFieldInput, eventually, TestStack, testPassword, type ApiResponse, type TestTenant } from '@sigil/testing';

interface Fixtures {
  /** Path parameter values by `<resource>.<param>`, e.g. `contacts.id`, `webhooks.delivery_id`. */
  params: Record<string, string>;
  /** Every id, key and email of the tenant (what must never appear in another tenant's answers). */
  secrets: string[];
  contactId: string;
  listId: string;
}

/** One of everything the API can create, for one tenant and mode. */
async function createEverything(t: TestTenant, api: ApiClient): Promise<Fixtures> {
  const must = (res: ApiResponse, what: string) => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  };
  // A key of its own per tenant and mode: the four fixture sets are created at once, so a clock-based key could
  // repeat across modes, and a test-mode field of the same key would then look like a leak.
  const field = must(await api.post('/v1/custom-fields', customFieldInput({ key: `iso_${randomBytes(5).toString('hex')}` })), 'custom field');
  const contact = must(
    await api.post('/v1/contacts', contactInput({ tags: ['iso'], custom_fields: { [field.key]: 'secret' }, external_id: `iso-${randomBytes(5).toString('hex')}` })),
    'contact',
  );
  const activity = must(await api.post(`/v1/contacts/${contact.id}/activities`, { type: 'purchase', properties: { amount: 5 } }), 'activity');
  const list = must(await api.post('/v1/lists', { name: 'iso list' }), 'list');
  must(await api.post(`/v1/lists/${list.id}/members`, { contact_ids: [contact.id] }), 'list member');
  const segment = must(await api.post('/v1/segments', { name: 'iso segment', rules: { tag: 'iso', op: 'has' } }), 'segment');
  const webhook = must(await api.post('/v1/webhooks', { url: 'https://example.com/iso-hook', events: ['*'] }), 'webhook');
  const delivery = must(await api.post(`/v1/webhooks/${webhook.id}/test`), 'test delivery');
  const recovery = must(await api.post(`/v1/webhooks/${webhook.id}/recover`, { since: new Date(0).toISOString() }), 'recovery');
  const suppression = must(await api.post('/v1/suppressions', { email: `iso-${randomBytes(5).toString('hex')}@example.com`, reason: 'iso' }), 'suppression');
  const key = await t.createKey({ name: 'iso key', scopes: ['contacts:read'] });
  // A member of the tenant (members are account-wide, managed in live mode: invited by the owner's session).
  const memberEmail = `iso.${randomBytes(5).toString('hex')}@example.com`;
  const invitation = must(await t.session.post('/v1/members/invitations', { email: memberEmail, role: 'viewer' }), 'invitation');
  const member = must(await new ApiClient(api.baseUrl).post('/v1/members/invitations/accept', { token: invitation.token, password: testPassword() }), 'member');
  // And an invitation left pending (listed, revocable).
  const pendingEmail = `iso.${randomBytes(5).toString('hex')}@example.com`;
  const pending = must(await t.session.post('/v1/members/invitations', { email: pendingEmail, role: 'developer' }), 'pending invitation');
  const imported = must(
    await api.upload('/v1/imports', { format: 'csv', mapping: { email: 'email' } }, `email\niso.${randomBytes(5).toString('hex')}@example.com\nnot-an-email\n`),
    'import',
  );
  return {
    params: {
      'contacts.id': contact.id,
      'contacts.external_id': contact.external_id,
      'custom-fields.key': field.key,
      'lists.id': list.id,
      'segments.id': segment.id,
      'webhooks.id': webhook.id,
      'webhooks.delivery_id': delivery.id,
      'webhooks.recovery_id': recovery.id,
      'api-keys.id': key.id,
      'suppressions.id': suppression.id,
      'members.user_id': member.user.id,
      'members.invitation_id': pending.id,
      'imports.id': imported.id,
    },
    secrets: [
      suppression.id,
      suppression.email,
      contact.id,
      contact.email,
      activity.id,
      list.id,
      segment.id,
      webhook.id,
      delivery.id,
      recovery.id,
      key.id,
      imported.id,
      t.tenantId,
      member.user.id,
      memberEmail,
      pending.id,
      pendingEmail,
    ],
    contactId: contact.id,
    listId: list.id,
  };
}

/**
 * Routes whose path names a key in the caller's own namespace, not an object:
 * another tenant's value there is simply that tenant's own (an upsert by
 * external_id creates its own contact), checked apart below.
 */
const OWN_NAMESPACE_ROUTES = new Set(['PUT /v1/contacts/by-external-id/{external_id}']);

/** A valid body for each write route, so the request reaches the lookup (a 400 would prove nothing). */
function bodyFor(method: string, path: string, own: Fixtures): unknown {
  const bodies: Record<string, unknown> = {
    'PATCH /v1/api-keys/{id}': { name: 'mallory' },
    'POST /v1/api-keys/{id}/rotate': {},
    'PATCH /v1/members/{user_id}': { role: 'admin' },
    'PATCH /v1/contacts/{id}': { first_name: 'Mallory' },
    'POST /v1/contacts/{id}/tags': { tags: ['mallory'] },
    'DELETE /v1/contacts/{id}/tags': { tags: ['iso'] },
    'POST /v1/contacts/{id}/activities': { type: 'mallory' },
    'POST /v1/contacts/{id}/confirmation': {},
    'PATCH /v1/custom-fields/{key}': { label: 'mallory' },
    'PATCH /v1/lists/{id}': { name: 'mallory' },
    'POST /v1/lists/{id}/members': { contact_ids: [own.contactId] },
    'DELETE /v1/lists/{id}/members': { contact_ids: [own.contactId] },
    'PATCH /v1/segments/{id}': { name: 'mallory' },
    'PATCH /v1/webhooks/{id}': { description: 'mallory' },
    'POST /v1/webhooks/{id}/rotate-secret': {},
    'POST /v1/webhooks/{id}/test': {},
    'POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry': {},
    'POST /v1/webhooks/{id}/recover': { since: new Date(Date.now() - 3600_000).toISOString() },
    'POST /v1/imports/{id}/cancel': {},
  };
  const key = `${method} ${path}`;
  if (method === 'GET') return undefined;
  if (!(key in bodies)) {
    if (method === 'DELETE') return undefined;
    throw new Error(`no body fixture for ${key}: add one to bodyFor() in isolation.e2e-spec.ts`);
  }
  return bodies[key];
}

interface Route {
  method: string;
  path: string;
  scope: string | null;
  params: string[];
}

function fill(route: Route, values: (param: string) => string): string {
  const resource = route.path.split('/')[2]!;
  return route.path.replace(/\{(\w+)\}/g, (_, param: string) => encodeURIComponent(values(`${resource}.${param}`)));
}

function text(res: ApiResponse): string {
  return typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '');
}

describe('tenant and mode isolation, every route', () => {
  let stack: TestStack;
  let a: TestTenant;
  let b: TestTenant;
  let aLive: Fixtures;
  let aTest: Fixtures;
  let bLive: Fixtures;
  let routes: Route[];
  /** Who must see 404 for A's live ids. */
  let outsiders: Array<{ label: string; client: (route: Route) => Promise<ApiClient> }>;

  beforeAll(async () => {
    stack = await TestStack.start();
    [a, b] = await Promise.all([createTenant(stack.gatewayUrl), createTenant(stack.gatewayUrl)]);
    const aTestApi = await a.client({ scopes: ['*'], mode: 'test' });
    const bTestApi = await b.client({ scopes: ['*'], mode: 'test' });
    [aLive, aTest, bLive] = await Promise.all([createEverything(a, a.api), createEverything(a, aTestApi), createEverything(b, b.api)]);
    const doc = (await new (await import('@sigil/testing')).ApiClient(stack.gatewayUrl).get('/v1/openapi.json')).body;
    routes = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { 'x-required-scope'?: string | null }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'patch', 'put', 'delete'].includes(method)) continue;
        routes.push({ method: method.toUpperCase(), path, scope: op['x-required-scope'] ?? null, params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!) });
      }
    }
    const scoped = new Map<string, ApiClient>();
    const bWithScope = async (route: Route) => {
      const scope = route.scope && route.scope !== 'any' ? route.scope : '*';
      if (!scoped.has(scope)) scoped.set(scope, await b.client({ scopes: [scope as never], mode: 'live' }));
      return scoped.get(scope)!;
    };
    outsiders = [
      { label: 'tenant B live *', client: async () => b.api },
      { label: 'tenant B live, only the route scope', client: bWithScope },
      { label: 'tenant B test *', client: async () => bTestApi },
      { label: "tenant A's own test-mode key", client: async () => aTestApi },
    ];
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('finds the routes with ids in the OpenAPI document', () => {
    const withIds = routes.filter((r) => r.params.length);
    expect(withIds.length).toBeGreaterThanOrEqual(30);
    for (const r of withIds) {
      const resource = r.path.split('/')[2]!;
      for (const p of r.params)
        expect({ route: `${r.method} ${r.path}`, fixture: `${resource}.${p}` in aLive.params }).toEqual({ route: `${r.method} ${r.path}`, fixture: true });
    }
  });

  it("answers 404 to other tenants and the other mode for every route with an id, and leaks nothing of A's", async () => {
    // Deletes last, so every other route still sees A's objects.
    const withIds = routes
      .filter((r) => r.params.length && !OWN_NAMESPACE_ROUTES.has(`${r.method} ${r.path}`))
      .sort((x, y) => Number(x.method === 'DELETE') - Number(y.method === 'DELETE'));
    const failures: string[] = [];
    for (const route of withIds) {
      const aPath = fill(route, (p) => aLive.params[p]!);
      // The id is real: A's own live key can read it (GETs only: they change nothing).
      if (route.method === 'GET') {
        const own = await a.api.get(aPath);
        if (own.status !== 200) failures.push(`A cannot read its own ${aPath}: ${own.status}`);
      }
      const paths = [aPath];
      // Mixed: B's own first id with A's second id (e.g. B's webhook, A's delivery).
      if (route.params.length > 1) paths.push(fill(route, (p) => (p.endsWith('.id') ? bLive.params[p]! : aLive.params[p]!)));
      for (const outsider of outsiders) {
        const client = await outsider.client(route);
        for (const path of paths) {
          const res = await client.request(route.method, path, bodyFor(route.method, route.path, outsider.label.startsWith('tenant B') ? bLive : aTest));
          const leaked = aLive.secrets.filter((s) => !path.includes(encodeURIComponent(s)) && text(res).includes(s));
          if (res.status !== 404 || leaked.length) {
            failures.push(`${outsider.label}: ${route.method} ${path} → ${res.status}${leaked.length ? ` leaking ${leaked.join(', ')}` : ''} ${text(res).slice(0, 200)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Nothing of A's changed or went away.
    const contact = await a.api.get(`/v1/contacts/${aLive.contactId}`);
    expect(contact.status).toBe(200);
    expect(contact.body.data.first_name).not.toBe('Mallory');
    expect(contact.body.data.tags).toEqual(['iso']);
    for (const path of [
      `/v1/lists/${aLive.listId}`,
      `/v1/segments/${aLive.params['segments.id']}`,
      `/v1/webhooks/${aLive.params['webhooks.id']}`,
      `/v1/api-keys/${aLive.params['api-keys.id']}`,
    ]) {
      const res = await a.api.get(path);
      expect({ path, status: res.status, revoked: res.body.data?.revoked_at ?? null }).toEqual({ path, status: 200, revoked: null });
    }
    const members = await a.api.get(`/v1/lists/${aLive.listId}/members`);
    expect(members.body.data.map((m: { id?: string; contact_id?: string }) => m.id ?? m.contact_id)).toEqual([aLive.contactId]);
  });

  it("never lists A's objects to B or to A's test mode", async () => {
    const listings = routes.filter((r) => r.method === 'GET');
    const failures: string[] = [];
    for (const route of listings) {
      for (const [label, client, own] of [
        ['tenant B live', b.api, bLive],
        ["tenant A's test mode", await a.client({ scopes: ['*'], mode: 'test' }), aTest],
      ] as const) {
        if (route.params.some((p) => !(`${route.path.split('/')[2]}.${p}` in own.params))) continue;
        const path = fill(route, (p) => own.params[p]!);
        const res = await client.get(path);
        // A's test mode is the same tenant: its tenant id is its own, not a leak.
        const leaked = aLive.secrets.filter((s) => !(own === aTest && s === a.tenantId) && text(res).includes(s));
        if (res.status >= 500 || leaked.length) failures.push(`${label}: GET ${path} → ${res.status}, leaking ${leaked.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("ignores A's ids smuggled into B's bodies, filters and rules", async () => {
    const failures: string[] = [];
    /** Fails on an unexpected status, or on any of A's values in the answer that B did not send itself. */
    const check = (label: string, res: ApiResponse, statuses: number[]) => {
      const leaked = aLive.secrets.filter((s) => !label.includes(s) && text(res).includes(s));
      if (!statuses.includes(res.status) || leaked.length) failures.push(`${label} → ${res.status} ${text(res).slice(0, 200)}`);
    };
    const filtered = async (path: string) => {
      const res = await b.api.get(path);
      if (res.status === 200 && res.body.data.length) failures.push(`B GET ${path} listed ${res.body.data.length} rows`);
      check(`B GET ${path}`, res, [200, 400, 404]);
    };
    await filtered(`/v1/contacts?list_id=${aLive.listId}`);
    await filtered(`/v1/contacts?segment_id=${aLive.params['segments.id']}`);
    const add = await b.api.post(`/v1/lists/${bLive.listId}/members`, { contact_ids: [aLive.contactId] });
    check(`B adds A contact ${aLive.contactId} to B list`, add, [200, 201, 400, 404]);
    const bMembers = await b.api.get(`/v1/lists/${bLive.listId}/members`);
    expect(text(bMembers)).not.toContain(aLive.contactId);
    const preview = await b.api.post('/v1/segments/preview', { rules: { list: aLive.listId, op: 'in' } });
    check(`B previews a segment on A list ${aLive.listId}`, preview, [200, 400, 404]);
    if (preview.status === 200) expect(preview.body.data.count).toBe(0);
    const seg = await b.api.post('/v1/segments', { name: 'smuggle', rules: { list: aLive.listId, op: 'in' } });
    check(`B segments on A list ${aLive.listId}`, seg, [201, 400, 404]);
    if (seg.status === 201) {
      const members = await b.api.get(`/v1/segments/${seg.body.data.id}/contacts`);
      expect(text(members)).not.toContain(aLive.contactId);
    }
    const nested = await b.api.post('/v1/segments', { name: 'smuggle', rules: { segment: aLive.params['segments.id'], op: 'in' } });
    check(`B segments on A segment ${aLive.params['segments.id']}`, nested, [400]);
    const nestedPreview = await b.api.post('/v1/segments/preview', { rules: { segment: aLive.params['segments.id'], op: 'not_in' } });
    check(`B previews on A segment ${aLive.params['segments.id']}`, nestedPreview, [400]);
    // A's audit entries exist (recorded asynchronously), and B's filters on A's ids find none of them.
    await eventually(
      () => a.api.get(`/v1/audit-log?resource_id=${aLive.listId}`),
      (r) => r.body.data?.length >= 1,
    );
    await filtered(`/v1/audit-log?resource_id=${aLive.listId}`);
    await filtered(`/v1/audit-log?actor_id=${aLive.params['api-keys.id']}`);
    await filtered(`/v1/audit-log?resource_id=${aLive.params['webhooks.id']}&action=webhook.created`);
    const batch = await b.api.post('/v1/contacts/batch', { contacts: [{ id: aLive.contactId, email: contactInput().email }] });
    check(`B batch with A id ${aLive.contactId}`, batch, [200, 400]);
    const bContact = (await b.api.get('/v1/contacts?tag=iso')).body.data[0].id as string;
    for (const body of [
      { primary_id: bContact, duplicate_ids: [aLive.contactId] },
      { primary_id: aLive.contactId, duplicate_ids: [bContact] },
      { primary_id: bContact, duplicate_ids: [aTest.contactId] },
    ]) {
      check(`B merges with A ids ${JSON.stringify(body)}`, await b.api.post('/v1/contacts/merge', body), [404]);
    }
    // A's external_id in B's upsert names B's own contact: created for B, A's untouched.
    const externalId = aLive.params['contacts.external_id']!;
    const upsert = await b.api.put(`/v1/contacts/by-external-id/${encodeURIComponent(externalId)}`, { email: contactInput().email, first_name: 'Mallory' });
    check(`B upserts by A external_id ${externalId}`, upsert, [201]);
    if (upsert.body.data?.id === aLive.contactId) failures.push(`B's upsert by ${externalId} reached A's contact`);
    const testModeUpsert = await (
      await a.client({ scopes: ['*'], mode: 'test' })
    ).put(`/v1/contacts/by-external-id/${encodeURIComponent(externalId)}`, { email: contactInput().email });
    if (testModeUpsert.body.data?.id === aLive.contactId) failures.push(`A's test mode upsert by ${externalId} reached the live contact`);
    // An import into A's list is refused before a byte is stored.
    const listImport = await b.api.upload('/v1/imports', { format: 'csv', mapping: { email: 'email' }, list_id: aLive.listId }, `email\n${contactInput().email}\n`);
    check(`B imports into A list ${aLive.listId}`, listImport, [400]);
    // Account settings are the tenant's own: B's change (and A's test mode, refused) leaves A's as they were.
    check('B changes its leaked_key_policy', await b.api.patch('/v1/settings', { leaked_key_policy: 'notify' }), [200]);
    check(
      "A's test-mode key changes the account's settings",
      await (await a.client({ scopes: ['*'], mode: 'test' })).patch('/v1/settings', { leaked_key_policy: 'notify' }),
      [403],
    );
    expect((await a.api.get('/v1/settings')).body.data).toMatchObject({ leaked_key_policy: 'revoke', updated_at: null });
    expect(failures).toEqual([]);
    const aContact = await a.api.get(`/v1/contacts/${aLive.contactId}`);
    expect(aContact.status).toBe(200);
    expect(aContact.body.data.first_name).not.toBe('Mallory');
  });
});
