/**
 * At-least-once delivery across a crash: the webhooks process is killed with
 * SIGKILL in the middle of a burst of events (jobs in flight, Kafka offsets
 * uncommitted) and restarted. Every event still reaches the receiver, and
 * any duplicate carries the same `webhook-id` so receivers can drop it.
 */
import { contactInput, createTenant, TestStack, WebhookReceiver, type ApiClient } from '@sigil/testing';

const BURST = 150;

describe('webhooks: kill -9 mid-burst', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let api: ApiClient;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({
      serviceEnv: {
        webhooks: {
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
          WEBHOOK_RETRY_SCHEDULE: '200ms,500ms,1s,2s,2s,2s,2s',
          WEBHOOK_JOB_LOCK: '2s',
          WEBHOOK_RECONCILE_INTERVAL: '2s',
        },
      },
    });
    ({ api } = await createTenant(stack.gatewayUrl));
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('loses no delivery, and duplicates share their webhook-id', async () => {
    const created = await api.post('/v1/webhooks', { url: receiver.url('/burst'), events: ['contact.created'] });
    expect(created.status).toBe(201);
    receiver.expectSecrets('/burst', [created.body.data.secret]);
    // Slow enough that deliveries are in flight when the process dies.
    receiver.respond('/burst', () => ({ delayMs: 30 }));

    const contactIds: string[] = [];
    let next = 0;
    const createAll = Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < BURST) {
          next++;
          const res = await api.post('/v1/contacts', contactInput());
          expect(res.status).toBe(201);
          contactIds.push(res.body.data.id);
        }
      }),
    );

    await receiver.waitFor('/burst', (all) => all.length >= 20, 60000);
    const webhooks = stack.get('webhooks');
    await webhooks.kill();
    const receivedBeforeCrash = receiver.received('/burst').length;
    expect(receivedBeforeCrash).toBeLessThan(BURST);
    await createAll;
    await webhooks.start();

    const all = await receiver.waitFor(
      '/burst',
      (got) => {
        const seen = new Set(got.filter((d) => d.answered === 200).map((d) => d.payload.data.contact.id));
        return contactIds.every((id) => seen.has(id));
      },
      110000,
    );
    expect(all.every((d) => d.verifiedWith.length === 1)).toBe(true);
    const idsByEvent = new Map<string, Set<string>>();
    for (const d of all) idsByEvent.set(d.payload.id, (idsByEvent.get(d.payload.id) ?? new Set()).add(d.headers['webhook-id']!));
    expect(idsByEvent.size).toBe(BURST);
    for (const ids of idsByEvent.values()) expect(ids.size).toBe(1);

    // The service's own record agrees: one delivery per event, every one delivered.
    const deliveries: { status: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get(`/v1/webhooks/${created.body.data.id}/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      deliveries.push(...page.body.data);
      cursor = page.body.meta.has_more ? page.body.meta.next_cursor : undefined;
    } while (cursor);
    expect(deliveries).toHaveLength(BURST);
  }, 240000);
});
