/**
 * `ordering: "per_contact"` (SPEC §14) on real PostgreSQL, Redis and Kafka,
 * with two instances of the service working the same queue and database:
 * a contact's deliveries arrive one at a time and in event order; a failing
 * head holds back only its own contact (other contacts, and events about no
 * contact, flow meanwhile); an exhausted head lets its contact move on; a
 * disabled endpoint skips a contact's queue in order and `recover` sends it
 * again in order.
 */
import { randomBytes } from 'node:crypto';
import { eventually, maxInFlight, testContext, WebhookReceiver, type ReceivedWebhook } from '@sigil/testing';
import type { CreateWebhookRequest, DomainEvent, RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { DeliveryAttemptService } from './delivery/delivery-attempt.service';
import { RecoveriesService } from './delivery/recoveries.service';
import { EndpointsService } from './endpoints/endpoints.service';
import { FanoutService } from './fanout/fanout.service';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const contactId = () => `con_${randomBytes(6).toString('hex')}`;
const joined = (tenant: string, contact: string) => domainEvent('list.member_added', tenant, { list_id: 'lst_ordering', contact_id: contact });
const contactOfDelivery = (d: ReceivedWebhook): string | undefined => d.payload.data?.contact_id;

/** Event ids in the order they first arrived, per contact (a redelivered attempt does not reorder them). */
function firstArrivals(got: ReceivedWebhook[], contact: string): string[] {
  const ids: string[] = [];
  for (const d of [...got].sort((x, y) => x.startedAt - y.startedAt)) {
    if (contactOfDelivery(d) === contact && !ids.includes(d.payload.id)) ids.push(d.payload.id);
  }
  return ids;
}

/** The most requests about one contact that were in flight at once. */
function maxInFlightPerContact(got: ReceivedWebhook[]): number {
  let worst = 0;
  const byContact = new Map<string, ReceivedWebhook[]>();
  for (const d of got) {
    const c = contactOfDelivery(d);
    if (c) byContact.set(c, [...(byContact.get(c) ?? []), d]);
  }
  for (const list of byContact.values()) worst = Math.max(worst, maxInFlight(list));
  return worst;
}

describe('per_contact ordering, two replicas', () => {
  let harness: WebhooksHarness;
  let replica: WebhooksHarness;
  let receiver: WebhookReceiver;
  let endpoints: EndpointsService;
  let deliveries: DeliveriesService;

  beforeAll(async () => {
    harness = await WebhooksHarness.start();
    replica = await WebhooksHarness.start({}, harness);
    receiver = await WebhookReceiver.start();
    await harness.settled(2);
    endpoints = harness.get(EndpointsService);
    deliveries = harness.get(DeliveriesService);
  });

  afterAll(async () => {
    await replica?.close();
    await harness?.close();
    await receiver?.close();
  });

  async function endpoint(ctx: RequestContext, extra: Partial<CreateWebhookRequest> = {}) {
    const path = `/${randomBytes(6).toString('hex')}`;
    const created = await endpoints.create(ctx, { url: receiver.url(path), events: ['list.member_added'], ordering: 'per_contact', ...extra });
    receiver.expectSecrets(path, [created.secret]);
    return { ...created, path };
  }

  /** Waits until every claim of the endpoint is released (the receiver sees a request before its outcome is recorded). */
  const claimsLeft = async (endpointId: string) =>
    eventually(
      async () =>
        ((await harness.dataSource.query(`SELECT count(*)::int AS n FROM webhook_ordering_claims WHERE endpoint_id = $1`, [endpointId])) as { n: number }[])[0]!.n,
      (n) => n === 0,
      { timeoutMs: 10_000, stepMs: 50 },
    );

  it("holds a failing contact's later deliveries until its head succeeds, in order, while other contacts and contact-less events flow", async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { events: ['list.member_added', 'api_key.revoked'], retry_schedule: ['1s', '1s', '1s'] });
    expect(target.ordering).toBe('per_contact');
    const [a, b] = [contactId(), contactId()];
    const events: DomainEvent[] = [];
    const [ofA, ofB]: [string[], string[]] = [[], []];
    for (let i = 0; i < 4; i++) {
      const [ea, eb] = [joined(ctx.tenant_id, a), joined(ctx.tenant_id, b)];
      ofA.push(ea.id);
      ofB.push(eb.id);
      events.push(ea, eb, domainEvent('api_key.revoked', ctx.tenant_id, { id: `key_${i}` }));
    }
    let headFailures = 0;
    receiver.respond(target.path, (req) => (req.payload.id === ofA[0] && ++headFailures <= 2 ? { status: 500 } : { delayMs: 20 }));
    // Through Kafka, one message at a time, as the other services' outbox relays publish them.
    for (const e of events) await harness.publish(e);

    const ok = (all: ReceivedWebhook[]) => new Set(all.filter((d) => d.answered === 200).map((d) => d.payload.id)).size === events.length;
    const got = await receiver.waitFor(target.path, ok, 30_000);
    expect(firstArrivals(got, a)).toEqual(ofA);
    expect(firstArrivals(got, b)).toEqual(ofB);
    const headDone = got.find((d) => d.payload.id === ofA[0] && d.answered === 200)!;
    // A's later events waited for its head: none started before the head's success was answered.
    expect(got.filter((d) => ofA.slice(1).includes(d.payload.id)).every((d) => d.startedAt >= headDone.receivedAt)).toBe(true);
    // B and the events about no contact did not wait for A's retries (2 s of them).
    const others = got.filter((d) => !ofA.includes(d.payload.id));
    expect(Math.max(...others.map((d) => d.startedAt))).toBeLessThan(headDone.startedAt);
    expect(maxInFlightPerContact(got)).toBe(1);
    expect(got.every((d) => d.verifiedWith.length === 1)).toBe(true);

    const list = await deliveries.list(ctx, target.id, { limit: 50, status: 'delivered' });
    const head = list.data.find((d) => d.event_id === ofA[0])!;
    expect((await deliveries.get(ctx, target.id, head.id)).attempts.map((x) => x.status_code)).toEqual([500, 500, 200]);
    expect(list.data.filter((d) => d.event_id !== ofA[0]).every((d) => d.attempt_count === 1)).toBe(true);
    expect(await claimsLeft(target.id)).toBe(0);
  });

  it('keeps every contact in order while both replicas race on a backlog of many contacts with retries', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    const contacts = Array.from({ length: 25 }, contactId);
    const expected = new Map(contacts.map((c) => [c, [] as string[]]));
    const batches: DomainEvent[][] = [];
    for (let round = 0; round < 8; round++) {
      const batch = contacts.map((c) => joined(ctx.tenant_id, c));
      for (const e of batch) expected.get(e.data.contact_id)!.push(e.id);
      batches.push(batch);
    }
    // Every seventh event fails its first attempt (retried 100 ms later): heads block their contact for a while.
    const failOnce = new Set(
      batches
        .flat()
        .filter((_, i) => i % 7 === 3)
        .map((e) => e.id),
    );
    receiver.respond(target.path, (req) => (failOnce.delete(req.payload.id) ? { status: 503 } : { delayMs: Math.floor(Math.random() * 15) }));
    const onFirst = jest.spyOn(harness.get(DeliveryAttemptService), 'attempt');
    const onSecond = jest.spyOn(replica.get(DeliveryAttemptService), 'attempt');
    // Fanned out by both replicas in turn (the order they took them in is the event order).
    for (const [i, batch] of batches.entries()) await (i % 2 ? replica : harness).get(FanoutService).acceptBatch(batch);

    const total = contacts.length * 8;
    const got = await receiver.waitFor(target.path, (all) => new Set(all.filter((d) => d.answered === 200).map((d) => d.payload.id)).size === total, 60_000);
    for (const c of contacts) expect({ c, order: firstArrivals(got, c) }).toEqual({ c, order: expected.get(c) });
    expect(maxInFlightPerContact(got)).toBe(1);
    // Both replicas sent some, and deliveries of different contacts overlapped (not one global line).
    expect(onFirst.mock.calls.length).toBeGreaterThan(0);
    expect(onSecond.mock.calls.length).toBeGreaterThan(0);
    onFirst.mockRestore();
    onSecond.mockRestore();
    expect(receiver.maxConcurrent(target.path)).toBeGreaterThan(1);
    const counts = await eventually(
      async () =>
        (
          (await harness.dataSource.query(
            `SELECT count(*) FILTER (WHERE status = 'delivered')::int AS delivered, count(*)::int AS total FROM webhook_deliveries WHERE endpoint_id = $1`,
            [target.id],
          )) as { delivered: number; total: number }[]
        )[0]!,
      (c) => c.delivered === total,
      { timeoutMs: 10_000, stepMs: 50 },
    );
    expect(counts).toEqual({ delivered: total, total });
    expect(await claimsLeft(target.id)).toBe(0);
  });

  it('lets a contact move on past a head that failed for good; retry sends it later', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { retry_schedule: ['100ms', '100ms'] });
    const c = contactId();
    const events = [joined(ctx.tenant_id, c), joined(ctx.tenant_id, c), joined(ctx.tenant_id, c)];
    let healthy = false;
    receiver.respond(target.path, (req) => (req.payload.id === events[0]!.id && !healthy ? { status: 503 } : {}));
    await harness.get(FanoutService).acceptBatch(events);

    const got = await receiver.waitFor(target.path, (all) => all.filter((d) => d.answered === 200).length === 2);
    const lastHeadAttempt = Math.max(...got.filter((d) => d.payload.id === events[0]!.id).map((d) => d.receivedAt));
    expect(got.filter((d) => d.payload.id === events[0]!.id).map((d) => d.answered)).toEqual([503, 503, 503]);
    expect(firstArrivals(got, c)).toEqual(events.map((e) => e.id));
    expect(got.filter((d) => d.answered === 200).every((d) => d.startedAt >= lastHeadAttempt)).toBe(true);
    const failed = (await deliveries.list(ctx, target.id, { limit: 50, status: 'failed' })).data;
    expect(failed.map((d) => d.event_id)).toEqual([events[0]!.id]);

    healthy = true;
    await deliveries.retry(ctx, target.id, failed[0]!.id);
    await receiver.waitFor(target.path, (all) => all.filter((d) => d.answered === 200).length === 3);
    expect(await claimsLeft(target.id)).toBe(0);
  });

  it("skips a disabled endpoint's queued contact in order, and recover sends it again in order", async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { retry_schedule: ['1s', '1s'] });
    const c = contactId();
    const events = [joined(ctx.tenant_id, c), joined(ctx.tenant_id, c), joined(ctx.tenant_id, c)];
    let healthy = false;
    receiver.respond(target.path, () => (healthy ? {} : { status: 500 }));
    const since = new Date(Date.now() - 1000).toISOString();
    await harness.get(FanoutService).acceptBatch(events);
    await receiver.waitFor(target.path, (all) => all.length === 1);
    // The head waits for its retry, the other two wait behind it; then the endpoint is disabled.
    await endpoints.update(ctx, target.id, { enabled: false });
    // The head's retry finds it disabled and skips it; each skipped delivery wakes the next (no minute-long waits).
    await eventually(
      async () => (await deliveries.list(ctx, target.id, { limit: 50, status: 'skipped' })).data.length,
      (n) => n === 3,
      { timeoutMs: 15_000, stepMs: 100 },
    );
    // Only the head was ever sent (its retry too, if it came before the disabling on a loaded machine).
    expect(receiver.received(target.path).every((d) => d.payload.id === events[0]!.id)).toBe(true);

    healthy = true;
    await endpoints.update(ctx, target.id, { enabled: true });
    const recovery = await harness.get(RecoveriesService).start(ctx, target.id, { since });
    expect(recovery.total).toBe(3);
    const got = await receiver.waitFor(target.path, (all) => all.filter((d) => d.answered === 200).length === 3);
    expect(
      firstArrivals(
        got.filter((d) => d.answered === 200),
        c,
      ),
    ).toEqual(events.map((e) => e.id));
    expect(maxInFlightPerContact(got)).toBe(1);
  });

  it('validates ordering and switches it on update', async () => {
    const ctx = testContext();
    const plain = await endpoints.create(ctx, { url: receiver.url('/plain'), events: ['*'] });
    expect(plain.ordering).toBe('none');
    expect((await endpoints.update(ctx, plain.id, { ordering: 'per_contact' })).ordering).toBe('per_contact');
    expect((await endpoints.update(ctx, plain.id, { description: 'kept' })).ordering).toBe('per_contact');
    expect((await endpoints.update(ctx, plain.id, { ordering: 'none' })).ordering).toBe('none');
  });
});
