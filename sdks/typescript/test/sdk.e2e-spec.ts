/**
 * `@sigil/sdk` against a live stack (every service its own process): create
 * and get (typed as the document's `Contact`), a list iterated past its first page, a create whose answer is lost
 * retried with the same Idempotency-Key (one contact, not a 409), a real 429
 * waited out per `Retry-After`, typed errors, and a real signed webhook
 * delivery checked with `verifyWebhook`.
 */
import { randomBytes } from 'node:crypto';
import { Sigil, verifyWebhook, NotFoundError, RateLimitError, ValidationError, WebhookVerificationError, type Contact, type SigilOptions } from '../src';
import { createTenant, TestStack, WebhookReceiver, type TestTenant } from '@sigil/testing';

describe('@sigil/sdk (TypeScript) against the live API', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let tenant: TestTenant;
  let sigil: Sigil;
  const run = randomBytes(4).toString('hex');
  /** The rate-limited key and when its one request of the minute was admitted. */
  let limited: { key: string; firstAt: number };

  /** A fetch that records each attempt (method, path, status, Idempotency-Key) and can lose one answer. */
  function recordingFetch() {
    const attempts: { method: string; path: string; status: number | 'lost'; key: string | null; at: number }[] = [];
    let loseNext: ((r: Request) => boolean) | undefined;
    const fetch = async (request: Request): Promise<Response> => {
      const response = await globalThis.fetch(request);
      const entry = { method: request.method, path: new URL(request.url).pathname, key: request.headers.get('idempotency-key'), at: Date.now() };
      if (loseNext?.(request)) {
        loseNext = undefined;
        await response.arrayBuffer(); // the server answered; the client never sees it
        attempts.push({ ...entry, status: 'lost' });
        throw new TypeError('fetch failed: socket hang up');
      }
      attempts.push({ ...entry, status: response.status });
      return response;
    };
    return { attempts, fetch, loseNextAnswer: (match: (r: Request) => boolean) => (loseNext = match) };
  }

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({
      serviceEnv: { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8', WEBHOOK_RETRY_JITTER: '0' } },
    });
    tenant = await createTenant(stack.gatewayUrl);
    sigil = new Sigil({ apiKey: tenant.apiKey, baseUrl: stack.gatewayUrl });
    // The rate-limit test runs last and waits out this minute's window: using the key now keeps the file short.
    const created = await sigil.apiKeys.create({ name: `limited ${run}`, environment: 'live', scopes: ['contacts:read'], rate_limit_per_minute: 1 });
    limited = { key: String(created['key']), firstAt: Date.now() };
    await new Sigil({ apiKey: limited.key, baseUrl: stack.gatewayUrl }).contacts.list({ limit: 1 }).pages().next();
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('creates a contact and gets it back (the envelope’s data)', async () => {
    const created = await sigil.contacts.create({ email: `Ada.${run}@Example.com`, first_name: 'Ada', tags: ['sdk'] });
    expect(created).toMatchObject({ email: `ada.${run}@example.com`, first_name: 'Ada', tags: ['sdk'] });
    expect(created.id).toEqual(expect.any(String));
    expect(await sigil.contacts.get(created.id)).toEqual(created);
    // Typed from the document's `Contact` schema: a field it lacks does not compile, the ones it has are typed.
    const typed: Contact = created;
    const version: number = typed.version;
    // @ts-expect-error `Contact` has no such field
    expect(created.no_such_field).toBeUndefined();
    expect(version).toBe(1);
    const [first]: Contact[] = await sigil.contacts.list({ limit: 1 }).toArray(1);
    expect(first?.email).toEqual(expect.any(String));
  });

  it('upserts by external_id: creates, then updates the same contact', async () => {
    const created = await sigil.contacts.upsertByExternalId(`crm-${run}`, { email: `ext.${run}@example.com`, first_name: 'Ext' });
    expect(created).toMatchObject({ external_id: `crm-${run}`, first_name: 'Ext', version: 1 });
    const updated = await sigil.contacts.upsertByExternalId(`crm-${run}`, { email: `ext.${run}@example.com`, last_name: 'Ernal' });
    expect(updated).toMatchObject({ id: created.id, first_name: 'Ext', last_name: 'Ernal', version: 2 });
  });

  it('uploads an import file and reads the job and its error report', async () => {
    const csv = `email,name\nimp.${run}@example.com,Imp\nnot-an-email,Bad\n`;
    const job = await sigil.imports.create({ format: 'csv', mapping: { email: 'email', name: 'first_name' } }, csv, 'people.csv');
    expect(job).toMatchObject({ status: 'queued', rows_total: 2 });
    let done = job;
    for (let i = 0; i < 200 && !['completed', 'failed', 'cancelled'].includes(String(done['status'])); i++) {
      await new Promise((r) => setTimeout(r, 100));
      done = await sigil.imports.get(job.id);
    }
    expect(done).toMatchObject({ status: 'completed', created: 1, failed: 1 });
    expect(await sigil.imports.errors(job.id)).toContain('not-an-email');
    const refused = await sigil.imports.create({ format: 'csv', mapping: { email: 'email' } }, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0])).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
  });

  it('throws typed errors carrying code and request_id', async () => {
    const missing = await sigil.contacts.get('does-not-exist').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found', requestId: expect.stringMatching(/^req_/) });
    expect((missing as NotFoundError).request_id).toBe((missing as NotFoundError).requestId);
    const invalid = await sigil.contacts.create({ email: 'not-an-email' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'email' })] });
  });

  it('iterates a list past its first page', async () => {
    const tag = `page-${run}`;
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await sigil.contacts.create({ email: `p${i}.${run}@example.com`, tags: [tag] })).id);
    const pages = [];
    for await (const page of sigil.contacts.list({ tag, limit: 2 }).pages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 2, 1]);
    const seen = (await sigil.contacts.list({ tag, limit: 2 }).toArray()).map((c) => c.id);
    expect(new Set(seen)).toEqual(ids);
    expect(seen).toHaveLength(5);
  });

  it('retries a create whose answer was lost with the same Idempotency-Key: one contact, no 409', async () => {
    const recorder = recordingFetch();
    const client = new Sigil({ apiKey: tenant.apiKey, baseUrl: stack.gatewayUrl, fetch: recorder.fetch } as SigilOptions);
    recorder.loseNextAnswer((r) => r.method === 'POST');
    const email = `lost.${run}@example.com`;
    const created = await client.contacts.create({ email });
    const posts = recorder.attempts.filter((a) => a.method === 'POST');
    expect(posts.map((a) => a.status)).toEqual(['lost', 201]);
    expect(posts[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(posts[1]!.key).toBe(posts[0]!.key);
    const found = await sigil.contacts.list({ q: email }).toArray();
    expect(found.map((c) => c.id)).toEqual([created.id]);
    // Without the key the same retry is a second create: a 409 on the taken email.
    await expect(sigil.contacts.create({ email }, { idempotencyKey: `other-${run}` })).rejects.toMatchObject({ status: 409 });
  });

  it('delivers a real signed webhook that verifyWebhook accepts, and refuses a tampered one', async () => {
    const path = `/sdk-${run}`;
    const endpoint = await sigil.webhooks.create({ url: receiver.url(path), events: ['contact.created'], description: 'sdk test' });
    const secret = String(endpoint['secret']);
    expect(secret).toMatch(/^whsec_/);
    const contact = await sigil.contacts.create({ email: `hook.${run}@example.com` });
    const [delivery] = await receiver.waitFor(path, (all) => all.some((d) => d.payload.data?.contact?.id === contact.id));
    const event = verifyWebhook<{ contact: { id: string; email: string } }>(delivery!.body, delivery!.headers, secret);
    expect(event).toMatchObject({ type: 'contact.created', data: { contact: { id: contact.id, email: `hook.${run}@example.com` } } });
    expect(event.id).toMatch(/^evt_/);
    expect(() => verifyWebhook(delivery!.body.replace(contact.id, 'c_forged'), delivery!.headers, secret)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(delivery!.body, delivery!.headers, `whsec_${Buffer.from('another secret of 24 b').toString('base64')}`)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(delivery!.body, { ...delivery!.headers, 'webhook-signature': '' }, secret)).toThrow(WebhookVerificationError);
  });

  it('waits out a real 429 for Retry-After and then succeeds (and gives up with a RateLimitError when told to)', async () => {
    const impatient = new Sigil({ apiKey: limited.key, baseUrl: stack.gatewayUrl, maxRetryDelayMs: 0 });
    // The minute of the request made in beforeAll may be over if the tests above were slow: then this one takes the slot.
    let refused: unknown;
    for (let i = 0; i < 2 && !refused; i++) {
      const at = Date.now();
      refused = await impatient.contacts
        .list({ limit: 1 })
        .pages()
        .next()
        .then(
          () => void (limited.firstAt = at),
          (e: unknown) => e,
        );
    }
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', retryAfter: expect.any(Number), requestId: expect.stringMatching(/^req_/) });

    const recorder = recordingFetch();
    const patient = new Sigil({ apiKey: limited.key, baseUrl: stack.gatewayUrl, fetch: recorder.fetch, maxRetryDelayMs: 70_000 } as SigilOptions);
    const page = await patient.contacts.list({ limit: 1 }).pages().next();
    expect(page.value?.data).toHaveLength(1);
    expect(recorder.attempts.map((a) => a.status)).toEqual([429, 200]);
    // The window frees its slot a minute after the first admitted request: the retry came no earlier.
    expect(recorder.attempts[1]!.at - limited.firstAt).toBeGreaterThanOrEqual(59_000);
  }, 120_000);
});
