/**
 * Webhooks through the gateway, every service its own process: endpoint
 * CRUD with scopes and tenant/mode isolation, SSRF refusals, a contact
 * created over HTTP arriving signed at a local receiver, the attempt log,
 * test events, rotation, retry and recover, and the operators' queue board.
 */
import { contactInput, createTenant, eventually as eventuallyHolds, TestStack, WebhookReceiver, type ApiClient, type TestTenant } from '@sigil/testing';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

describe('webhooks through the gateway', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let tenant: TestTenant;
  let api: ApiClient;
  let paths = 0;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({
      serviceEnv: {
        webhooks: {
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
          WEBHOOK_RETRY_SCHEDULE: '100ms,200ms',
          WEBHOOK_RETRY_JITTER: '0',
          ADMIN_TOKEN,
        },
      },
    });
    tenant = await createTenant(stack.gatewayUrl);
    api = tenant.api;
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  async function createEndpoint(client: ApiClient, events: string[] = ['contact.*'], extra: Record<string, unknown> = {}) {
    const path = `/hook-${++paths}`;
    const res = await client.post('/v1/webhooks', { url: receiver.url(path), events, description: 'e2e', ...extra });
    expect(res.status).toBe(201);
    receiver.expectSecrets(path, [res.body.data.secret]);
    return { path, id: res.body.data.id as string, secret: res.body.data.secret as string, body: res.body };
  }

  /** Deliveries are retried over seconds: a longer deadline than the shared default. */
  const eventually = <T>(read: () => Promise<T>, ok: (value: T) => boolean) => eventuallyHolds(read, ok, { timeoutMs: 30000, stepMs: 100 });

  it('creates an endpoint, showing the secret once, and reads, lists, updates and deletes it', async () => {
    const created = await createEndpoint(api, ['contact.*', 'list.member_added']);
    expect(created.body.data).toMatchObject({ events: ['contact.*', 'list.member_added'], description: 'e2e', enabled: true });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(created.body.meta.request_id).toBeDefined();

    const read = await api.get(`/v1/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data.secret).toBeUndefined();
    expect(read.body.data.url).toBe(receiver.url(created.path));

    const patched = await api.patch(`/v1/webhooks/${created.id}`, { events: ['*'], description: null, enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ events: ['*'], description: null, enabled: false });

    const list = await api.get('/v1/webhooks?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.meta).toMatchObject({ limit: 1, page: 1 });
    expect(list.body.data).toHaveLength(1);

    const deleted = await api.delete(`/v1/webhooks/${created.id}`);
    expect(deleted.status).toBe(204);
    expect((await api.get(`/v1/webhooks/${created.id}`)).status).toBe(404);
  });

  it('pages with limit and an opaque cursor', async () => {
    const own = await createTenant(stack.gatewayUrl);
    for (let i = 0; i < 3; i++) await createEndpoint(own.api);
    const first = await own.api.get('/v1/webhooks?limit=2');
    expect(first.body.meta).toMatchObject({ has_more: true, total: 3 });
    const second = await own.api.get(`/v1/webhooks?limit=2&cursor=${first.body.meta.next_cursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.meta.has_more).toBe(false);
    const ids = [...first.body.data, ...second.body.data].map((w: { id: string }) => w.id);
    expect(new Set(ids).size).toBe(3);
    expect((await own.api.get('/v1/webhooks?cursor=garbage')).status).toBe(400);
  });

  it('lists the event types with the JSON Schema of their data, and validates filters against them', async () => {
    const res = await api.get('/v1/event-types');
    expect(res.status).toBe(200);
    const types = res.body.data as Array<{ type: string; description: string; schema: Record<string, unknown>; example: unknown }>;
    expect(types.map((t) => t.type)).toEqual(expect.arrayContaining(['contact.created', 'list.member_added', 'webhook.endpoint_disabled']));
    expect(types.map((t) => t.type)).not.toContain('webhook.test');
    const created = types.find((t) => t.type === 'contact.created')!;
    expect(created.description).toMatch(/created/);
    expect(created.schema).toMatchObject({ type: 'object', required: ['contact'], properties: { contact: { type: 'object' } } });
    expect(created.example).toMatchObject({ contact: { email: expect.any(String) } });
    const denied = await (await tenant.client({ scopes: ['contacts:read'] })).get('/v1/event-types');
    expect(denied.status).toBe(403);
    expect(denied.body.error.required_scope).toBe('webhooks:read');

    const typo = await api.post('/v1/webhooks', { url: receiver.url('/typo'), events: ['contact.created', 'contact.craeted'] });
    expect(typo.status).toBe(400);
    expect(typo.body.error.details).toEqual([expect.objectContaining({ field: 'events[1]', message: expect.stringContaining("'contact.craeted'") })]);
  });

  it('takes a delivery policy on create and update; custom header values are sent but never shown', async () => {
    const created = await createEndpoint(api, ['contact.created'], {
      rate_limit_per_second: 50,
      max_in_flight: 3,
      timeout_ms: 5000,
      retry_schedule: ['10s', '1m', '1h'],
      headers: { 'X-Receiver-Token': 'tok_never_shown' },
    });
    expect(created.body.data).toMatchObject({
      rate_limit_per_second: 50,
      max_in_flight: 3,
      timeout_ms: 5000,
      retry_schedule: ['10s', '1m', '1h'],
      headers: { 'X-Receiver-Token': '[redacted]' },
    });
    expect(JSON.stringify(created.body)).not.toContain('tok_never_shown');
    for (const read of [await api.get(`/v1/webhooks/${created.id}`), await api.get('/v1/webhooks?limit=100')]) {
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain('tok_never_shown');
    }
    const contact = await api.post('/v1/contacts', contactInput());
    expect(contact.status).toBe(201);
    const [got] = await receiver.waitFor(created.path, (all) => all.length >= 1);
    expect(got!.headers['x-receiver-token']).toBe('tok_never_shown');
    expect(got!.verifiedWith).toEqual([created.secret]);

    const patched = await api.patch(`/v1/webhooks/${created.id}`, { timeout_ms: null, rate_limit_per_second: 10 });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ timeout_ms: null, rate_limit_per_second: 10, max_in_flight: 3, headers: { 'X-Receiver-Token': '[redacted]' } });

    const bad = await api.post('/v1/webhooks', {
      url: receiver.url('/bad-policy'),
      events: ['*'],
      timeout_ms: 30001,
      retry_schedule: ['5s', 'soon'],
      headers: { 'Webhook-Signature': 'v1,forged', Connection: 'close', 'X-Ok': 'line\r\nbreak' },
      rate_limit_per_second: 0,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['headers.Connection', 'headers.Webhook-Signature', 'headers.X-Ok', 'rate_limit_per_second', 'retry_schedule[1]', 'timeout_ms'].sort(),
    );
  });

  it("delivers a contact's events one at a time and in order on a per_contact endpoint, a failing head holding back only its contact", async () => {
    const plain = await createEndpoint(api, ['contact.created']);
    expect(plain.body.data.ordering).toBe('none');
    const bad = await api.post('/v1/webhooks', { url: receiver.url('/bad-ordering'), events: ['*'], ordering: 'fifo' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['ordering']);
    expect((await api.patch(`/v1/webhooks/${plain.id}`, { ordering: null })).status).toBe(400);

    const own = await createEndpoint(api, ['contact.created', 'contact.updated'], { ordering: 'per_contact' });
    expect(own.body.data.ordering).toBe('per_contact');
    expect((await api.get(`/v1/webhooks/${own.id}`)).body.data.ordering).toBe('per_contact');
    // The first contact's first delivery fails twice, slowly: its updates queue up behind it meanwhile.
    const first = contactInput();
    let headFailures = 0;
    receiver.respond(own.path, (req) =>
      req.payload.type === 'contact.created' && req.payload.data.contact.email === first.email && ++headFailures <= 2 ? { status: 500, delayMs: 500 } : {},
    );
    const a = await api.post('/v1/contacts', first);
    expect(a.status).toBe(201);
    for (let v = 2; v <= 5; v++) expect((await api.patch(`/v1/contacts/${a.body.data.id}`, { first_name: `v${v}` })).status).toBe(200);
    const b = await api.post('/v1/contacts', contactInput());
    expect(b.status).toBe(201);

    const got = await receiver.waitFor(own.path, (all) => all.filter((d) => d.answered === 200).length === 6);
    const ofA = got.filter((d) => d.payload.data.contact.id === a.body.data.id).sort((x, y) => x.startedAt - y.startedAt);
    expect(ofA.map((d) => [d.payload.data.contact.version, d.answered])).toEqual([
      [1, 500],
      [1, 500],
      [1, 200],
      [2, 200],
      [3, 200],
      [4, 200],
      [5, 200],
    ]);
    for (let i = 1; i < ofA.length; i++) expect(ofA[i]!.startedAt).toBeGreaterThanOrEqual(ofA[i - 1]!.receivedAt);
    // The other contact did not wait for the first one's retries.
    const ofB = got.find((d) => d.payload.data.contact.id === b.body.data.id)!;
    expect(ofB.startedAt).toBeLessThan(ofA[2]!.startedAt);
    expect(got.every((d) => d.verifiedWith.length === 1)).toBe(true);

    expect((await api.patch(`/v1/webhooks/${own.id}`, { ordering: 'none' })).body.data.ordering).toBe('none');
  });

  it('rejects invalid bodies, unknown filters and private or plain-http targets with 400 and field details', async () => {
    const res = await api.post('/v1/webhooks', { url: 'not a url', events: ['contact.nope'], colour: 'red' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'events[0]', 'url']);
    for (const url of ['https://10.0.0.8/hook', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/hook', 'http://192.168.1.1/hook']) {
      const refused = await api.post('/v1/webhooks', { url, events: ['*'] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0].field).toBe('url');
    }
  });

  it('enforces webhooks scopes', async () => {
    const reader = await tenant.client({ scopes: ['webhooks:read'] });
    const contactsOnly = await tenant.client({ scopes: ['contacts:write'] });
    const own = await createEndpoint(api);
    expect((await reader.get(`/v1/webhooks/${own.id}`)).status).toBe(200);
    expect((await reader.get(`/v1/webhooks/${own.id}/deliveries`)).status).toBe(200);
    for (const call of [
      () => reader.post('/v1/webhooks', { url: receiver.url('/x'), events: ['*'] }),
      () => reader.patch(`/v1/webhooks/${own.id}`, { enabled: false }),
      () => reader.delete(`/v1/webhooks/${own.id}`),
      () => reader.post(`/v1/webhooks/${own.id}/rotate-secret`),
      () => reader.post(`/v1/webhooks/${own.id}/test`),
      () => reader.post(`/v1/webhooks/${own.id}/recover`, { since: new Date().toISOString() }),
      () => reader.post(`/v1/webhooks/${own.id}/deliveries/msg_01JD0000000000000000000000/retry`),
    ]) {
      const res = await call();
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'insufficient_scope', required_scope: 'webhooks:write' });
    }
    const denied = await contactsOnly.get('/v1/webhooks');
    expect(denied.status).toBe(403);
    expect(denied.body.error.required_scope).toBe('webhooks:read');
  });

  it("answers 404 for another tenant's or the other mode's webhook, on every route", async () => {
    const own = await createEndpoint(api);
    const sent = await api.post(`/v1/webhooks/${own.id}/test`);
    expect(sent.status).toBe(201);
    const recovery = await api.post(`/v1/webhooks/${own.id}/recover`, { since: new Date(0).toISOString() });
    expect(recovery.status).toBe(202);
    const stranger = (await createTenant(stack.gatewayUrl)).api;
    const testMode = await tenant.client({ mode: 'test' });
    for (const other of [stranger, testMode]) {
      const responses = await Promise.all([
        other.get(`/v1/webhooks/${own.id}`),
        other.patch(`/v1/webhooks/${own.id}`, { enabled: false }),
        other.delete(`/v1/webhooks/${own.id}`),
        other.post(`/v1/webhooks/${own.id}/rotate-secret`),
        other.post(`/v1/webhooks/${own.id}/test`),
        other.get(`/v1/webhooks/${own.id}/deliveries`),
        other.get(`/v1/webhooks/${own.id}/deliveries/${sent.body.data.id}`),
        other.post(`/v1/webhooks/${own.id}/deliveries/${sent.body.data.id}/retry`),
        other.post(`/v1/webhooks/${own.id}/recover`, { since: new Date(0).toISOString() }),
        other.get(`/v1/webhooks/${own.id}/recoveries/${recovery.body.data.id}`),
        other.get(`/v1/webhooks/${own.id}/stats`),
      ]);
      expect(responses.map((r) => r.status)).toEqual(Array(11).fill(404));
      expect((await other.get('/v1/webhooks')).body.data.map((w: { id: string }) => w.id)).not.toContain(own.id);
    }
    expect((await api.get(`/v1/webhooks/${own.id}`)).body.data.enabled).toBe(true);
  });

  it('delivers a contact created over HTTP, signed, and shows it in the attempt log', async () => {
    const own = await createEndpoint(api, ['contact.created']);
    const contact = await api.post('/v1/contacts', contactInput());
    expect(contact.status).toBe(201);
    const [got] = await receiver.waitFor(own.path, (all) => all.length >= 1);
    expect(got!.payload).toMatchObject({ type: 'contact.created', data: { contact: { id: contact.body.data.id } } });
    expect(got!.payload.id).toMatch(/^evt_/);
    expect(got!.verifiedWith).toEqual([own.secret]);
    expect(got!.legacyVerifiedWith).toEqual([own.secret]);

    const list = await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries?status=delivered&event_type=contact.created`),
      (r) => r.body.data.length === 1,
    );
    const delivery = list.body.data[0];
    expect(delivery).toMatchObject({ webhook_id: own.id, event_id: got!.payload.id, status: 'delivered', attempt_count: 1 });
    expect(delivery.id).toBe(got!.headers['webhook-id']);
    const detail = await api.get(`/v1/webhooks/${own.id}/deliveries/${delivery.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.data.payload).toEqual(got!.payload);
    expect(detail.body.data.attempts).toEqual([
      expect.objectContaining({ attempt: 1, status_code: 200, response_body: 'ok', error: null, latency_ms: expect.any(Number) }),
    ]);
    expect((await api.get(`/v1/webhooks/${own.id}/deliveries?status=failed`)).body.data).toHaveLength(0);
    expect((await api.get(`/v1/webhooks/${own.id}/deliveries?status=lost`)).status).toBe(400);
    expect((await api.get(`/v1/webhooks/${own.id}/deliveries/msg_01JD0000000000000000000000`)).status).toBe(404);
  });

  it('sends a test event, rotates the secret (two signatures), retries and recovers failed deliveries', async () => {
    const own = await createEndpoint(api, ['list.member_removed']);
    let healthy = false;
    receiver.respond(own.path, () => ({ status: healthy ? 200 : 500, body: 'down' }));
    const test = await api.post(`/v1/webhooks/${own.id}/test`);
    expect(test.status).toBe(201);
    expect(test.body.data).toMatchObject({ event_type: 'webhook.test', status: 'pending' });
    const failed = await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries/${test.body.data.id}`),
      (r) => r.body.data.status === 'failed',
    );
    expect(failed.body.data.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500]);
    expect(failed.body.data.attempts[0].response_body).toBe('down');

    const rotated = await api.post(`/v1/webhooks/${own.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.secret).not.toBe(own.secret);
    receiver.expectSecrets(own.path, [rotated.body.data.secret, own.secret]);

    healthy = true;
    const retried = await api.post(`/v1/webhooks/${own.id}/deliveries/${test.body.data.id}/retry`);
    expect(retried.status).toBe(200);
    const got = await receiver.waitFor(own.path, (all) => all.some((d) => d.answered === 200));
    const ok = got.find((d) => d.answered === 200)!;
    expect(ok.headers['webhook-id']).toBe(test.body.data.id);
    expect(ok.verifiedWith).toEqual([rotated.body.data.secret, own.secret]);

    healthy = false;
    const since = new Date().toISOString();
    const second = await api.post(`/v1/webhooks/${own.id}/test`);
    await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries/${second.body.data.id}`),
      (r) => r.body.data.status === 'failed',
    );
    healthy = true;
    const recovered = await api.post(`/v1/webhooks/${own.id}/recover`, { since });
    expect(recovered.status).toBe(202);
    expect(recovered.body.data).toMatchObject({ id: expect.stringMatching(/^whr_/), status: 'running', total: 1, webhook_id: own.id });
    const progress = await eventually(
      () => api.get(`/v1/webhooks/${own.id}/recoveries/${recovered.body.data.id}`),
      (r) => r.body.data?.status === 'completed',
    );
    expect(progress.body.data).toMatchObject({ recovered: 1, total: 1 });
    await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries/${second.body.data.id}`),
      (r) => r.body.data.status === 'delivered',
    );
    expect((await api.post(`/v1/webhooks/${own.id}/recover`, { since: 'yesterday' })).status).toBe(400);
    const backwards = await api.post(`/v1/webhooks/${own.id}/recover`, { since, until: new Date(Date.parse(since) - 1000).toISOString() });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details).toEqual([expect.objectContaining({ field: 'until' })]);
    expect((await api.get(`/v1/webhooks/${own.id}/recoveries/whr_01JD0000000000000000000000`)).status).toBe(404);
  });

  it('keeps the events of a disabled period as skipped deliveries and sends them on recover', async () => {
    const own = await createEndpoint(api, ['contact.created']);
    const since = new Date().toISOString();
    expect((await api.patch(`/v1/webhooks/${own.id}`, { enabled: false })).status).toBe(200);
    const emails: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await api.post('/v1/contacts', contactInput());
      expect(created.status).toBe(201);
      emails.push(created.body.data.email);
    }
    const skipped = await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries?status=skipped`),
      (r) => r.body.data.length === 3,
    );
    expect(skipped.body.data.every((d: { attempt_count: number }) => d.attempt_count === 0)).toBe(true);
    const refused = await api.post(`/v1/webhooks/${own.id}/recover`, { since });
    expect(refused.status).toBe(409);
    expect(receiver.received(own.path)).toHaveLength(0);

    expect((await api.patch(`/v1/webhooks/${own.id}`, { enabled: true })).status).toBe(200);
    const recovered = await api.post(`/v1/webhooks/${own.id}/recover`, { since });
    expect(recovered.status).toBe(202);
    expect(recovered.body.data.total).toBe(3);
    const got = await receiver.waitFor(own.path, (all) => all.length >= 3);
    expect(got.map((d) => (d.payload.data as { contact: { email: string } }).contact.email).sort()).toEqual([...emails].sort());
    expect(got.every((d) => d.verifiedWith.length === 1)).toBe(true);
  });

  it('shows delivery statistics over a window', async () => {
    const own = await createEndpoint(api, ['list.member_removed']);
    let calls = 0;
    receiver.respond(own.path, () => ({ status: ++calls === 1 ? 500 : 200 }));
    const empty = await api.get(`/v1/webhooks/${own.id}/stats?window=1h`);
    expect(empty.status).toBe(200);
    expect(empty.body.data).toEqual({ window: '1h', delivered: 0, failed: 0, retrying: 0, success_rate: null, p50_ms: null, p99_ms: null });
    const test = await api.post(`/v1/webhooks/${own.id}/test`);
    await eventually(
      () => api.get(`/v1/webhooks/${own.id}/deliveries/${test.body.data.id}`),
      (r) => r.body.data.status === 'delivered',
    );
    const stats = await api.get(`/v1/webhooks/${own.id}/stats?window=24h`);
    expect(stats.body.data).toMatchObject({ window: '24h', delivered: 1, failed: 0, retrying: 0, success_rate: 1 });
    expect(stats.body.data.p50_ms).toEqual(expect.any(Number));
    expect(stats.body.data.p99_ms).toBeGreaterThanOrEqual(stats.body.data.p50_ms);
    expect((await api.get(`/v1/webhooks/${own.id}/stats`)).body.data.window).toBe('24h');
    const bad = await api.get(`/v1/webhooks/${own.id}/stats?window=2d`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('window');
  });

  it('shows the queue board only with the admin credential', async () => {
    const webhooks = stack.get('webhooks').url;
    expect((await fetch(`${webhooks}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${webhooks}/admin/queues`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const board = await fetch(`${webhooks}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(board.status).toBe(200);
    const basic = Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64');
    const queues = await fetch(`${webhooks}/admin/queues/api/queues`, { headers: { authorization: `Basic ${basic}` } });
    expect(queues.status).toBe(200);
    const metrics = await (await fetch(`${webhooks}/metrics`)).text();
    expect(metrics).toMatch(/sigil_queue_depth\{[^}]*state="completed"/);
    expect(metrics).toMatch(/sigil_webhook_deliveries_total\{[^}]*outcome="delivered"/);
  });
});
