/**
 * At-least-once delivery across a crash: the webhooks process is killed with
 * SIGKILL in the middle of a burst of events (jobs in flight, Kafka offsets
 * uncommitted) and restarted. Every event still reaches the receiver, and
 * any duplicate carries the same `webhook-id` so receivers can drop it.
 * Meanwhile a `per_contact` endpoint is in the middle of each of a few
 * contacts' sequences of updates: after the restart every update still
 * arrives, in order, one at a time per contact.
 */
import { contactInput, createTenant, TestStack, WebhookReceiver, type ApiClient } from '@sigil/testing';

const BURST = 150;
/** Contacts updated in sequence (versions 2…UPDATES + 1), half before the kill and half while the service is down. */
const SEQUENCED = 5;
const UPDATES = 12;

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

    const ordered = await api.post('/v1/webhooks', { url: receiver.url('/ordered'), events: ['contact.updated'], ordering: 'per_contact' });
    expect(ordered.status).toBe(201);
    receiver.expectSecrets('/ordered', [ordered.body.data.secret]);
    // Slow enough that each contact's sequence is still being delivered, one request in flight, when the process dies.
    receiver.respond('/ordered', () => ({ delayMs: 300 }));
    const sequenced: string[] = [];
    for (let i = 0; i < SEQUENCED; i++) {
      const res = await api.post('/v1/contacts', contactInput());
      expect(res.status).toBe(201);
      sequenced.push(res.body.data.id);
    }
    const updateAll = (fromVersion: number, toVersion: number) =>
      Promise.all(
        sequenced.map(async (id) => {
          for (let v = fromVersion; v <= toVersion; v++) expect((await api.patch(`/v1/contacts/${id}`, { first_name: `v${v}` })).status).toBe(200);
        }),
      );
    await updateAll(2, 1 + UPDATES / 2);

    const contactIds: string[] = [...sequenced];
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
    await receiver.waitFor('/ordered', (all) => all.length >= SEQUENCED, 60000);
    const webhooks = stack.get('webhooks');
    await webhooks.kill();
    const receivedBeforeCrash = receiver.received('/burst').length;
    expect(receivedBeforeCrash).toBeLessThan(BURST);
    // Mid-sequence: each contact's first updates partly delivered (one in flight), the rest sent while the service is down.
    await Promise.all([createAll, updateAll(2 + UPDATES / 2, 1 + UPDATES)]);
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
    expect(idsByEvent.size).toBe(BURST + SEQUENCED);
    for (const ids of idsByEvent.values()) expect(ids.size).toBe(1);

    // Every contact's updates, in order of first arrival, one request at a time per contact.
    const updates = await receiver.waitFor(
      '/ordered',
      (got) => new Set(got.filter((d) => d.answered === 200).map((d) => d.payload.id)).size === SEQUENCED * UPDATES,
      110000,
    );
    for (const id of sequenced) {
      const mine = updates.filter((d) => d.payload.data.contact.id === id).sort((x, y) => x.startedAt - y.startedAt);
      const versions = mine.map((d) => d.payload.data.contact.version as number).filter((v, i, all) => all.indexOf(v) === i);
      expect({ id, versions }).toEqual({ id, versions: Array.from({ length: UPDATES }, (_, i) => i + 2) });
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.startedAt).toBeGreaterThanOrEqual(mine[i - 1]!.receivedAt);
    }

    // The service's own record agrees: one delivery per event, every one delivered.
    const deliveries: { status: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.get(`/v1/webhooks/${created.body.data.id}/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      deliveries.push(...page.body.data);
      cursor = page.body.meta.has_more ? page.body.meta.next_cursor : undefined;
    } while (cursor);
    expect(deliveries).toHaveLength(BURST + SEQUENCED);
  }, 240000);
});
