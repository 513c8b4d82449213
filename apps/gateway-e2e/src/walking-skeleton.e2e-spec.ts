/**
 * The walking skeleton through the gateway over HTTP, every service its own
 * process: create and read a contact, the event reaching the webhooks
 * service, validation and not-found errors, and a 504 when contacts is down.
 */
import { Client } from 'pg';
import { ApiClient, contactInput, createTenant, pollUntil, TestStack, WebhookReceiver } from '@sigil/testing';

describe('walking skeleton', () => {
  let stack: TestStack;
  let api: ApiClient;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({
      serviceEnv: {
        gateway: { KAFKA_REQUEST_TIMEOUT_MS: '1500' },
        webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8' },
      },
    });
    ({ api } = await createTenant(stack.gatewayUrl));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('creates a contact and reads it back in the envelope', async () => {
    const input = contactInput({ email: 'Grace.Hopper@Example.COM', tags: ['vip'] });
    const created = await api.post('/v1/contacts', input, { 'x-request-id': 'client-chosen-id-123' });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('client-chosen-id-123');
    expect(created.body.meta.request_id).toBe('client-chosen-id-123');
    expect(created.body.data).toMatchObject({ email: 'grace.hopper@example.com', tags: ['vip'], first_name: 'Ada' });
    expect(created.body.data.id).toMatch(/^con_/);

    const read = await api.get(`/v1/contacts/${created.body.data.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(created.body.data);
    expect(read.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('delivers contact.created to the webhooks service once (its tenant has an endpoint; events of a tenant without one leave no trace there)', async () => {
    const endpoint = await api.post('/v1/webhooks', { url: receiver.url('/skeleton'), events: ['contact.created'] });
    expect(endpoint.status).toBe(201);
    const created = await api.post('/v1/contacts', contactInput());
    expect(created.status).toBe(201);
    const db = new Client({ connectionString: stack.databaseUrl('webhooks') });
    await db.connect();
    try {
      const inbox = async () =>
        (
          await db.query<{ type: string }>(`SELECT i.type FROM event_inbox i WHERE i.type = 'contact.created' AND i.occurred_at >= $1::timestamptz`, [
            created.body.data.created_at,
          ])
        ).rows;
      expect(await pollUntil(inbox, (rows) => rows.length > 0, { timeoutMs: 15_000, stepMs: 100 })).toHaveLength(1);
    } finally {
      await db.end();
    }
  });

  it('rejects a bad body with 400 validation_failed and per-field details', async () => {
    const res = await api.post('/v1/contacts', { email: 'not-an-email', tags: 'vip', surprise: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ status: 400, code: 'validation_failed', type: 'invalid_request_error' });
    expect(res.body.error.request_id).toBe(res.headers.get('x-request-id'));
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['email', 'surprise', 'tags']);
  });

  it('answers 400 invalid_json, 413 and 415 in the envelope', async () => {
    const broken = await api.request('POST', '/v1/contacts', '{"email":', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_json');
    const huge = await api.post('/v1/contacts', { email: `${'a'.repeat(1024 * 1024)}@example.com` });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const text = await api.request('POST', '/v1/contacts', 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
  });

  it('answers 404 not_found for an unknown id and an unknown route', async () => {
    const unknown = await api.get('/v1/contacts/con_01JD0000000000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', status: 404 });
    const route = await api.get('/v1/no-such-thing');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('not_found');
  });

  it('answers 409 conflict naming the existing contact on a duplicate email', async () => {
    const input = contactInput();
    const first = await api.post('/v1/contacts', input);
    const again = await api.post('/v1/contacts', { ...input, email: input.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', existing_id: first.body.data.id });
  });

  it('reports every service healthy on /v1/health', async () => {
    const res = await api.get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      status: 'up',
      services: { gateway: 'up', keys: 'up', contacts: 'up', segments: 'up', webhooks: 'up' },
    });
  });

  it('answers 504 upstream_timeout within the configured timeout when contacts is down', async () => {
    const created = await api.post('/v1/contacts', contactInput());
    await stack.get('contacts').stop('SIGKILL');
    const started = Date.now();
    const res = await api.get(`/v1/contacts/${created.body.data.id}`);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ code: 'upstream_timeout', type: 'api_error' });
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    const health = await api.get('/v1/health');
    expect(health.status).toBe(503);
    expect(health.body.data.services.contacts).toBe('down');
  });
});
