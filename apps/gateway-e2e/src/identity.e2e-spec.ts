/**
 * Contact identity and consent through the gateway, every service its own
 * process (SPEC §12): external_id (create, lookup, batch upsert by it) and
 * merge (activities, tags and list memberships follow the primary), consent
 * (history, double opt-in and unsubscribe tokens on public routes) and
 * suppressions; a merge reaches a subscribed webhook endpoint as a signed
 * `contact.merged`.
 */
import { ApiClient, contactInput, createTenant, eventually, TestStack, uniqueEmail, WebhookReceiver, type TestTenant } from '@sigil/testing';

describe('contact identity API', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let api: ApiClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({ serviceEnv: { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8' } } });
    tenant = await createTenant(stack.gatewayUrl);
    api = tenant.api;
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('creates with external_id, finds by it, refuses a duplicate with 409 and upserts a batch matched on it', async () => {
    const created = await api.post('/v1/contacts', contactInput({ external_id: 'crm-7' }));
    expect(created.status).toBe(201);
    expect(created.body.data.external_id).toBe('crm-7');
    const found = await api.get('/v1/contacts?external_id=crm-7');
    expect(found.body.data.map((c: { id: string }) => c.id)).toEqual([created.body.data.id]);

    const dup = await api.post('/v1/contacts', contactInput({ external_id: 'crm-7' }));
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'conflict', existing_id: created.body.data.id });

    const reply = await api.post('/v1/contacts/batch', {
      match_on: 'external_id',
      contacts: [
        { external_id: 'crm-7', email: created.body.data.email, first_name: 'Renamed' },
        { external_id: 'crm-8', email: uniqueEmail() },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ created: 1, updated: 1, failed: 0 });
    expect(reply.body.data.results[0].id).toBe(created.body.data.id);
    expect((await api.post('/v1/contacts/batch', { match_on: 'phone', contacts: [{ email: uniqueEmail() }] })).status).toBe(400);
    expect((await api.get(`/v1/contacts?external_id=${'x'.repeat(256)}`)).status).toBe(400);
  });

  it('upserts one contact by external_id with PUT: 201 created, 200 updated (PATCH semantics), 409 on another’s email, 400 on a mismatch', async () => {
    // Any characters an integration's id may hold, '/' included, travel percent-encoded in the path.
    const externalId = `shop/42 ü+${Date.now()}`;
    const path = `/v1/contacts/by-external-id/${encodeURIComponent(externalId)}`;
    const email = uniqueEmail();
    const created = await api.put(path, { email, first_name: 'Ada', tags: ['a'] });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ external_id: externalId, email, first_name: 'Ada', tags: ['a'], version: 1 });

    const updated = await api.put(path, { email, last_name: 'Lovelace' });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({ id: created.body.data.id, first_name: 'Ada', last_name: 'Lovelace', tags: ['a'], version: 2 });
    // The same again changes nothing: 200, same version.
    expect((await api.put(path, { email, last_name: 'Lovelace' })).body.data.version).toBe(2);
    const renamed = await api.put(path, { email: uniqueEmail() });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.id).toBe(created.body.data.id);

    const other = (await api.post('/v1/contacts', contactInput())).body.data;
    const taken = await api.put(path, { email: other.email });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'conflict', existing_id: other.id });
    const mismatch = await api.put(path, { email, external_id: 'something-else' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details).toEqual([expect.objectContaining({ field: 'external_id' })]);
    expect((await api.put(path, { first_name: 'no email' })).status).toBe(400);
    // The longest id (255 characters) is taken, also percent-encoded (1 530 characters in the path): the router
    // once refused any path parameter over 100 characters with a 400 "The request is malformed." (the fuzz found it).
    const longest = `${Date.now()}`.padEnd(255, 'ü');
    const upserted = await api.put(`/v1/contacts/by-external-id/${encodeURIComponent(longest)}`, { email: uniqueEmail() });
    expect({ status: upserted.status, external_id: upserted.body.data?.external_id }).toEqual({ status: 201, external_id: longest });
    const tooLong = await api.put(`/v1/contacts/by-external-id/${'x'.repeat(256)}`, { email: uniqueEmail() });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details?.[0]?.field).toBe('external_id');
    const readOnly = await tenant.client({ scopes: ['contacts:read'] });
    expect((await readOnly.put(path, { email })).status).toBe(403);
    // Another tenant's PUT of the same external_id creates that tenant's own contact.
    const elsewhere = await (await createTenant(stack.gatewayUrl)).api.put(path, { email });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.data.id).not.toBe(created.body.data.id);
    expect((await api.get(`/v1/contacts/${created.body.data.id}`)).body.data.email).toBe(renamed.body.data.email);
  });

  it('merges duplicates: activities, tags and list memberships move to the primary; a repeat answers the same', async () => {
    const primary = (await api.post('/v1/contacts', contactInput({ tags: ['p'] }))).body.data;
    const dup = (await api.post('/v1/contacts', contactInput({ tags: ['d'], phone: '+14155550123' }))).body.data;
    expect((await api.post(`/v1/contacts/${dup.id}/activities`, { type: 'purchase' })).status).toBe(201);
    const list = (await api.post('/v1/lists', { name: 'merge list' })).body.data;
    // Until the segments service has read the new contact, the add reports it not_found (200 with an outcome per id).
    await eventually(async () => (await api.post(`/v1/lists/${list.id}/members`, { contact_ids: [dup.id] })).body.data?.results?.[0]?.status === 'added');

    const merged = await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: [dup.id] });
    expect(merged.status).toBe(200);
    expect(merged.body.data).toMatchObject({ merged_ids: [dup.id], contact: { id: primary.id, tags: ['p', 'd'], phone: '+14155550123', version: 2 } });
    const again = await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: [dup.id] });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(merged.body.data);

    expect((await api.get(`/v1/contacts/${dup.id}`)).status).toBe(404);
    const acts = await api.get(`/v1/contacts/${primary.id}/activities`);
    expect(acts.body.data.map((a: { type: string }) => a.type)).toEqual(['purchase']);
    await eventually(async () => {
      const members = await api.get(`/v1/lists/${list.id}/members`);
      return JSON.stringify(members.body.data.map((m: { id: string }) => m.id)) === JSON.stringify([primary.id]);
    });

    const bad = await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: [primary.id] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: ['con_missing'] })).status).toBe(404);
  });

  it('delivers a merge to an endpoint subscribed to contact.merged: signed, naming the primary and the merged ids', async () => {
    const endpoint = await api.post('/v1/webhooks', { url: receiver.url('/merged'), events: ['contact.merged'] });
    expect(endpoint.status).toBe(201);
    receiver.expectSecrets('/merged', [endpoint.body.data.secret]);
    const primary = (await api.post('/v1/contacts', contactInput())).body.data;
    const dups = [(await api.post('/v1/contacts', contactInput())).body.data, (await api.post('/v1/contacts', contactInput())).body.data];
    const merged = await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: dups.map((d: { id: string }) => d.id) });
    expect(merged.status).toBe(200);

    // (An earlier test's merge may still be on its way to fan-out: look for this one.)
    const mine = <T extends { payload: { data: { primary_id?: string } } }>(all: T[]) => all.filter((d) => d.payload.data?.primary_id === primary.id);
    const [got] = mine(await receiver.waitFor('/merged', (all) => mine(all).length >= 1));
    expect(got!.payload.type).toBe('contact.merged');
    expect([...got!.payload.data.merged_ids].sort()).toEqual(dups.map((d: { id: string }) => d.id).sort());
    expect(got!.verifiedWith).toEqual([endpoint.body.data.secret]);
    // The three creates before it went to no endpoint: it subscribed to contact.merged only.
    expect(new Set(receiver.received('/merged').map((d) => d.payload.type))).toEqual(new Set(['contact.merged']));
  });

  it('double opt-in and one-click unsubscribe through public token routes; history; clear 4xx for reused and forged tokens', async () => {
    const anonymous = new ApiClient(stack.gatewayUrl);
    const contact = (await api.post('/v1/contacts', contactInput())).body.data;
    expect(contact).toMatchObject({ subscription_status: 'subscribed', suppressed: false });

    const confirmation = await api.post(`/v1/contacts/${contact.id}/confirmation`);
    expect(confirmation.status).toBe(201);
    expect((await api.get(`/v1/contacts/${contact.id}`)).body.data.subscription_status).toBe('pending');
    const confirmed = await anonymous.post('/v1/subscriptions/confirm', { token: confirmation.body.data.token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toEqual({ contact_id: contact.id, subscription_status: 'subscribed' });
    const reused = await anonymous.post('/v1/subscriptions/confirm', { token: confirmation.body.data.token });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ code: 'token_used', request_id: expect.any(String) });
    const forged = await anonymous.post('/v1/subscriptions/unsubscribe', { token: `${confirmation.body.data.token}x` });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('invalid_token');
    expect((await anonymous.post('/v1/subscriptions/unsubscribe', { token: 'x', extra: 1 })).status).toBe(400);

    const readOnly = await tenant.client({ scopes: ['contacts:read'] });
    expect((await readOnly.get(`/v1/contacts/${contact.id}/unsubscribe-token`)).status).toBe(403);
    const unsub = await api.get(`/v1/contacts/${contact.id}/unsubscribe-token`);
    expect(unsub.status).toBe(200);
    expect((await anonymous.post('/v1/subscriptions/unsubscribe', { token: unsub.body.data.token })).body.data.subscription_status).toBe('unsubscribed');

    const history = await readOnly.get(`/v1/contacts/${contact.id}/consent`);
    expect(history.status).toBe(200);
    expect(history.body.data.map((h: { status: string; source: string }) => `${h.status}:${h.source}`)).toEqual([
      'unsubscribed:one_click_unsubscribe',
      'subscribed:double_opt_in',
      'pending:double_opt_in_requested',
    ]);
    expect(history.body.data[0].ip).toEqual(expect.any(String));
  });

  it('RFC 8058 one-click: a form-encoded or multipart POST of List-Unsubscribe=One-Click to the token URL unsubscribes, without credential or JSON, idempotently', async () => {
    const contact = (await api.post('/v1/contacts', contactInput())).body.data;
    const { token } = (await api.get(`/v1/contacts/${contact.id}/unsubscribe-token`)).body.data;
    const url = `${stack.gatewayUrl}/v1/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`;
    const json = async (res: Response) =>
      (await res.json()) as { data: { contact_id: string; subscription_status: string }; error: { code: string; details: { field: string }[] } };
    const oneClick = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

    const first = await oneClick();
    expect(first.status).toBe(200);
    expect((await json(first)).data).toEqual({ contact_id: contact.id, subscription_status: 'unsubscribed' });
    expect((await api.get(`/v1/contacts/${contact.id}`)).body.data.subscription_status).toBe('unsubscribed');
    // Mail clients may post twice: the same answer, one change in the history.
    expect((await oneClick()).status).toBe(200);
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    const multipart = await fetch(url, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
    expect((await json(multipart)).data.subscription_status).toBe('unsubscribed');
    const history = (await api.get(`/v1/contacts/${contact.id}/consent`)).body.data;
    expect(history.map((h: { source: string }) => h.source)).toEqual(['one_click_unsubscribe']);

    // The token in a form body works as well; a missing, forged or doubled token is a clear 400.
    const other = (await api.post('/v1/contacts', contactInput())).body.data;
    const otherToken = (await api.get(`/v1/contacts/${other.id}/unsubscribe-token`)).body.data.token;
    const inBody = await fetch(`${stack.gatewayUrl}/v1/subscriptions/unsubscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(otherToken)}&List-Unsubscribe=One-Click`,
    });
    expect(inBody.status).toBe(200);
    const post = (path: string, body: string) =>
      fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const missing = await post('/v1/subscriptions/unsubscribe', 'List-Unsubscribe=One-Click');
    expect(missing.status).toBe(400);
    expect((await json(missing)).error.details[0]!.field).toBe('token');
    expect((await post(`/v1/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, `token=${encodeURIComponent(otherToken)}`)).status).toBe(400);
    const forged = await post(`/v1/subscriptions/unsubscribe?token=${encodeURIComponent(`${token}x`)}`, 'List-Unsubscribe=One-Click');
    expect(forged.status).toBe(400);
    expect((await json(forged)).error.code).toBe('invalid_token');
    expect((await post('/v1/subscriptions/unsubscribe', 'List-Unsubscribe=Something')).status).toBe(400);
    // A link scanner's GET of the URL changes nothing.
    expect((await fetch(url)).status).toBe(405);
    // Form bodies stay refused everywhere else.
    expect((await post('/v1/subscriptions/confirm', `token=${encodeURIComponent(token)}`)).status).toBe(415);
    expect(
      (
        await fetch(`${stack.gatewayUrl}/v1/contacts`, {
          method: 'POST',
          headers: { ...api.defaultHeaders, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'email=a@b.test',
        })
      ).status,
    ).toBe(415);
  });

  it('suppressions by email and domain mark contacts suppressed; scopes; 409 on a duplicate; delete lifts it', async () => {
    const contact = (await api.post('/v1/contacts', contactInput({ email: `x${Date.now()}@blocked-domain.test` }))).body.data;
    const created = await api.post('/v1/suppressions', { domain: 'blocked-domain.test', reason: 'spam trap' });
    expect(created.status).toBe(201);
    expect((await api.get(`/v1/contacts/${contact.id}`)).body.data.suppressed).toBe(true);
    expect((await api.post('/v1/suppressions', { domain: 'blocked-domain.test' })).status).toBe(409);
    expect((await api.post('/v1/suppressions', { email: 'a@b.test', domain: 'b.test' })).status).toBe(400);
    const readOnly = await tenant.client({ scopes: ['contacts:read'] });
    expect((await readOnly.get('/v1/suppressions')).body.data.map((s: { id: string }) => s.id)).toContain(created.body.data.id);
    expect((await readOnly.post('/v1/suppressions', { email: 'a@b.test' })).status).toBe(403);
    expect((await api.delete(`/v1/suppressions/${created.body.data.id}`)).status).toBe(204);
    expect((await api.get(`/v1/contacts/${contact.id}`)).body.data.suppressed).toBe(false);
  });
});
