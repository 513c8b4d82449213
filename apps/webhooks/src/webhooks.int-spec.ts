/**
 * The webhooks service on real PostgreSQL, Redis and Kafka: domain events
 * published on Kafka fan out to matching endpoints and arrive signed at a
 * local receiver (verified with the `standardwebhooks` library); retries on
 * 500s and timeouts, Retry-After, 410, rotation, manual retry and recovery,
 * a redelivered event producing a single delivery (also once its completed
 * job was trimmed from Redis), and an endpoint deleted while a fan-out
 * batch holds it.
 */
import { randomBytes } from 'node:crypto';
import { eventually, EventSpy, testContext, WebhookReceiver } from '@sigil/testing';
import type { ListDeliveriesQuery, RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { DeliveryAttemptService } from './delivery/delivery-attempt.service';
import { DeliveryQueue, deliveryJobId } from './delivery/delivery-queue';
import { DeliveryReconciler } from './delivery/delivery-reconciler';
import { DeliveryReconcilerRepository } from './delivery/delivery-reconciler.repository';
import { RecoveriesService } from './delivery/recoveries.service';
import { EndpointConcurrency } from './delivery/endpoint-concurrency';
import { EndpointsService } from './endpoints/endpoints.service';
import { FanoutService } from './fanout/fanout.service';
import { WebhookRetention } from './retention/webhook-retention';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const contactData = (email = 'ada@example.com') => ({
  contact: {
    id: `con_${randomBytes(8).toString('hex')}`,
    external_id: null,
    email,
    first_name: 'Ada',
    last_name: null,
    phone: null,
    tags: [],
    custom_fields: {},
    subscription_status: 'subscribed' as const,
    suppressed: false,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    version: 1,
  },
});

describe('webhooks service (PostgreSQL + Redis + Kafka)', () => {
  let harness: WebhooksHarness;
  let receiver: WebhookReceiver;
  let spy: EventSpy;
  let endpoints: EndpointsService;
  let deliveries: DeliveriesService;

  beforeAll(async () => {
    harness = await WebhooksHarness.start(); // creates the namespace's topics first
    spy = await EventSpy.start();
    receiver = await WebhookReceiver.start();
    endpoints = harness.get(EndpointsService);
    deliveries = harness.get(DeliveriesService);
  });

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
    await spy?.stop();
  });

  /** An endpoint on its own receiver path, with the receiver verifying its secret. */
  async function endpoint(ctx: RequestContext, events: string[], extra: Record<string, unknown> = {}) {
    const path = `/${randomBytes(6).toString('hex')}`;
    const created = await endpoints.create(ctx, { url: receiver.url(path), events, ...extra });
    receiver.expectSecrets(path, [created.secret]);
    return { ...created, path };
  }

  async function waitForDelivery(ctx: RequestContext, webhookId: string, predicate: (d: { status: string; attempt_count: number }) => boolean) {
    const deadline = Date.now() + 30000;
    for (;;) {
      const page = await deliveries.list(ctx, webhookId, { limit: 50 });
      const found = page.data.find(predicate);
      if (found) return deliveries.get(ctx, webhookId, found.id);
      if (Date.now() > deadline) throw new Error(`no matching delivery: ${JSON.stringify(page.data)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function waitForCount(ctx: RequestContext, webhookId: string, query: Omit<ListDeliveriesQuery, 'limit'>, count: number) {
    const deadline = Date.now() + 30000;
    for (;;) {
      const page = await deliveries.list(ctx, webhookId, { limit: 50, ...query });
      if (page.data.length === count) return page.data;
      if (Date.now() > deadline) throw new Error(`expected ${count} deliveries ${JSON.stringify(query)}, have ${page.data.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('fans an event out to the matching enabled endpoints of its tenant and mode, signed', async () => {
    const ctx = testContext();
    const wildcard = await endpoint(ctx, ['contact.*']);
    const everything = await endpoint(ctx, ['*']);
    const exact = await endpoint(ctx, ['contact.created']);
    const other = await endpoint(ctx, ['list.member_added']);
    const disabled = await endpoint(ctx, ['*'], { enabled: false });
    const testMode = await endpoint({ ...ctx, mode: 'test' }, ['*']);
    const otherTenant = await endpoint(testContext(), ['*']);

    const event = await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    for (const target of [wildcard, everything, exact]) {
      const [got] = await receiver.waitFor(target.path, (all) => all.length >= 1);
      expect(got!.payload).toEqual({ id: event.id, type: 'contact.created', created_at: event.occurred_at, data: event.data });
      expect(got!.verifiedWith).toEqual([target.secret]);
      expect(got!.legacyVerifiedWith).toEqual([target.secret]);
      expect(got!.headers['webhook-id']).toMatch(/^msg_/);
      expect(got!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(got!.headers['x-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(got!.headers['content-type']).toBe('application/json');
    }
    // An event the others would match, published after: once it arrived, the first one would have too.
    const later = await harness.publish(domainEvent('list.member_added', ctx.tenant_id, { list_id: 'lst_1', contact_id: 'con_1' }));
    await receiver.waitFor(other.path, (all) => all.some((d) => d.payload.id === later.id));
    expect(receiver.received(other.path).map((d) => d.payload.type)).toEqual(['list.member_added']);
    for (const silent of [disabled, testMode, otherTenant]) expect(receiver.received(silent.path)).toHaveLength(0);

    const detail = await waitForDelivery(ctx, wildcard.id, (d) => d.status === 'delivered');
    expect(detail).toMatchObject({ status: 'delivered', attempt_count: 1, event_type: 'contact.created', event_id: event.id, webhook_id: wildcard.id });
    expect(detail.attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, response_body: 'ok', error: null })]);
  });

  it('delivers a redelivered Kafka event once', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created', 'contact.deleted']);
    const event = domainEvent('contact.created', ctx.tenant_id, contactData());
    await harness.publish(event);
    await harness.publish(event);
    await harness.get(FanoutService).accept(event);
    await receiver.waitFor(target.path, (all) => all.length >= 1);
    // Same key, same partition, published after the duplicates: once it arrived, they were handled.
    const sentinel = await harness.publish(domainEvent('contact.deleted', ctx.tenant_id, { id: 'con_x', version: 2 }));
    await receiver.waitFor(target.path, (all) => all.some((d) => d.payload.id === sentinel.id));
    await harness.get(FanoutService).accept(event);
    const list = await deliveries.list(ctx, target.id, { limit: 50, event_type: 'contact.created' });
    expect(list.data).toHaveLength(1);
    expect(list.data[0]!.attempt_count).toBe(1);
    expect(receiver.received(target.path).filter((d) => d.payload.id === event.id)).toHaveLength(1);
  });

  it('sends a delivery once when its completed job was trimmed and it is queued again (a redelivered event, a racing re-add)', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created']);
    const event = await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    await receiver.waitFor(target.path, (all) => all.length >= 1);
    const [delivered] = await waitForCount(ctx, target.id, { status: 'delivered' }, 1);
    const queue = harness.get(DeliveryQueue);
    const jobId = deliveryJobId(delivered!.id, 0);
    // Trimmed as KEEP_COMPLETED_JOBS trims it: its id is free for a new job.
    const completed = await eventually(
      () => queue.queue.getJob(jobId),
      (job) => job?.finishedOn !== undefined,
    );
    await completed!.remove();
    // The event redelivered: its delivery is not pending, so nothing is queued.
    expect(await harness.get(FanoutService).accept(event)).toEqual([]);
    // Queued again anyway (read as pending just before it completed): a new job, which finds it delivered.
    await queue.enqueue([{ delivery_id: delivered!.id, generation: 0 }]);
    const again = await eventually(
      () => queue.queue.getJob(jobId),
      (job) => job?.finishedOn !== undefined,
    );
    expect(again!.returnvalue).toBe('skipped');
    expect(receiver.received(target.path).filter((d) => d.payload.id === event.id)).toHaveLength(1);
    expect((await deliveries.get(ctx, target.id, delivered!.id)).attempts).toHaveLength(1);
  });

  it('the reconciler queues again only the deliveries still pending after it found their job gone', async () => {
    const ctx = testContext();
    const done = await endpoint(ctx, ['contact.created']);
    const failing = await endpoint(ctx, ['contact.created']);
    // Retried in a minute: its row stays pending, its job waits in delayed.
    receiver.respond(failing.path, () => ({ status: 429, headers: { 'retry-after': '60' } }));
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData('reconcile@example.com')));
    const [delivered] = await waitForCount(ctx, done.id, { status: 'delivered' }, 1);
    const [retrying] = await waitForCount(ctx, failing.id, {}, 1);
    await receiver.waitFor(failing.path, (all) => all.length >= 1);
    const queue = harness.get(DeliveryQueue);
    const deliveredJob = deliveryJobId(delivered!.id, 0);
    const retryingJob = deliveryJobId(retrying!.id, 0);
    // The delivered one's completed job trimmed; the retrying one's job lost (Redis lost data).
    await (await eventually(
      () => queue.queue.getJob(deliveredJob),
      (job) => job?.finishedOn !== undefined,
    ))!.remove();
    await eventually(
      () => queue.queue.getJobState(retryingJob),
      (state) => state === 'delayed',
    );
    await (await queue.queue.getJob(retryingJob))!.remove();
    expect(await queue.queue.getJob(retryingJob)).toBeUndefined();

    // Both rows as a sweep read them while both were pending: only the one still pending is queued again.
    const rows = [
      { delivery_id: delivered!.id, generation: 0 },
      { delivery_id: retrying!.id, generation: 0 },
    ];
    expect(await queue.withoutJob(rows)).toEqual(rows);
    expect(await harness.get(DeliveryReconciler).requeue(rows)).toBe(1);
    expect(await queue.queue.getJob(deliveredJob)).toBeUndefined();
    expect(await queue.queue.getJob(retryingJob)).toBeDefined();
    receiver.respond(failing.path, () => ({ status: 204 }));
    // The re-added job is a fresh one (no delay): the delivery goes now.
    await waitForCount(ctx, failing.id, { status: 'delivered' }, 1);
    expect(receiver.received(done.path)).toHaveLength(1);
  });

  it('fans out a consumed batch in one go: each event once per matching endpoint of its own tenant, duplicates in the batch included', async () => {
    const [a, b] = [testContext(), testContext()];
    const aContacts = await endpoint(a, ['contact.created']);
    const aAll = await endpoint(a, ['*']);
    const bLists = await endpoint(b, ['list.member_added']);
    const e1 = domainEvent('contact.created', a.tenant_id, contactData('one@example.com'));
    const e2 = domainEvent('list.member_added', a.tenant_id, { list_id: 'lst_1', contact_id: 'con_1' });
    const e3 = domainEvent('list.member_added', b.tenant_id, { list_id: 'lst_2', contact_id: 'con_2' });
    const e4 = domainEvent('contact.created', b.tenant_id, contactData('two@example.com'));

    const jobs = await harness.get(FanoutService).acceptBatch([e1, e2, e1, e3, e4]);

    // e1 → both of a's endpoints, e2 → a's wildcard, e3 → b's list endpoint, e4 → nobody (b has no contact endpoint).
    expect(jobs).toHaveLength(4);
    await receiver.waitFor(aAll.path, (all) => all.length >= 2);
    await receiver.waitFor(bLists.path, (all) => all.length >= 1);
    await receiver.waitFor(aContacts.path, (all) => all.length >= 1);
    expect(
      receiver
        .received(aAll.path)
        .map((d) => d.payload.id)
        .sort(),
    ).toEqual([e1.id, e2.id].sort());
    expect(receiver.received(aContacts.path).map((d) => d.payload.id)).toEqual([e1.id]);
    expect(receiver.received(bLists.path).map((d) => d.payload.id)).toEqual([e3.id]);
    // The same batch again (a redelivery after a crash) queues the same deliveries, creates none.
    await harness.get(FanoutService).acceptBatch([e1, e2, e3, e4]);
    const list = await deliveries.list(a, aAll.id, { limit: 50 });
    expect(list.data).toHaveLength(2);
  });

  it('records only the events of a tenant and mode that has endpoints: the others leave no inbox row', async () => {
    const [served, silent] = [testContext(), testContext()];
    await endpoint(served, ['list.member_added']);
    // `served` in test mode has no endpoint either (endpoints are per mode).
    const unmatched = domainEvent('contact.created', served.tenant_id, contactData('x@example.com')); // no matching filter: still recorded
    const otherMode = { ...domainEvent('contact.created', served.tenant_id, contactData('y@example.com')), mode: 'test' as const };
    const none = domainEvent('contact.created', silent.tenant_id, contactData('z@example.com'));
    const inbox = async (ids: string[]) =>
      ((await harness.dataSource.query(`SELECT event_id FROM event_inbox WHERE event_id = ANY($1::text[]) ORDER BY event_id`, [ids])) as { event_id: string }[]).map(
        (r) => r.event_id,
      );

    expect(await harness.get(FanoutService).acceptBatch([none])).toEqual([]);
    expect(await harness.get(FanoutService).acceptBatch([unmatched, otherMode, none])).toEqual([]);
    expect(await inbox([unmatched.id, otherMode.id, none.id])).toEqual([unmatched.id]);
  });

  it('deletes an endpoint without waiting for a fan-out batch that holds it, and sends nothing to it after', async () => {
    const ctx = testContext();
    const kept = await endpoint(ctx, ['contact.created']);
    const doomed = await endpoint(ctx, ['contact.created']);
    // A fan-out batch in flight: its transaction holds FOR KEY SHARE on the endpoint (fanout.repository.ts). A
    // DELETE of the row waited for it (6.1 s, a 504, in session 14's long fuzz run); the mark does not.
    const batch = harness.dataSource.createQueryRunner();
    await batch.connect();
    try {
      await batch.startTransaction();
      await batch.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR KEY SHARE`, [doomed.id]);
      await endpoints.delete(ctx, doomed.id);
      await expect(endpoints.get(ctx, doomed.id)).rejects.toMatchObject({ status: 404 });
      await expect(endpoints.delete(ctx, doomed.id)).rejects.toMatchObject({ status: 404 });
      await expect(deliveries.list(ctx, doomed.id, { limit: 10 })).rejects.toMatchObject({ status: 404 });
      await expect(deliveries.sendTest(ctx, doomed.id)).rejects.toMatchObject({ status: 404 });
      expect((await endpoints.list(ctx, { limit: 10 })).data.map((e) => e.id)).toEqual([kept.id]);
    } finally {
      await batch.rollbackTransaction();
      await batch.release();
    }

    // A batch that read the endpoints before the delete committed still writes the doomed one's delivery; no
    // worker attempts it (nor the reconciler queues it again), and the purge removes it.
    const event = domainEvent('contact.created', ctx.tenant_id, contactData());
    await harness.dataSource.query(`UPDATE webhook_endpoints SET deleted_at = NULL WHERE id = $1`, [doomed.id]);
    const late = harness.dataSource.createQueryRunner();
    await late.connect();
    try {
      await late.startTransaction();
      await late.query(`UPDATE webhook_endpoints SET deleted_at = now() WHERE id = $1`, [doomed.id]);
      // Uncommitted: the batch sees the endpoint, and its FOR KEY SHARE does not wait for the mark.
      const jobs = await harness.get(FanoutService).acceptBatch([event]);
      expect(jobs).toHaveLength(2);
      await late.commitTransaction();
    } finally {
      if (late.isTransactionActive) await late.rollbackTransaction();
      await late.release();
    }
    const [delivered] = await receiver.waitFor(kept.path, (all) => all.length >= 1);
    expect(delivered!.payload.id).toBe(event.id);
    const [left] = (await harness.dataSource.query(`SELECT id, status, attempt_count FROM webhook_deliveries WHERE endpoint_id = $1`, [doomed.id])) as {
      id: string;
      status: string;
      attempt_count: number;
    }[];
    expect(left).toMatchObject({ status: 'pending', attempt_count: 0 });
    expect(await harness.get(DeliveryAttemptService).attempt(left!.id, 0, 0)).toEqual({ kind: 'skipped' });
    const overdue = await harness.get(DeliveryReconcilerRepository).overdue(harness.dataSource.manager, 0, 10_000);
    expect(overdue.map((j) => j.delivery_id)).not.toContain(left!.id);
    expect(receiver.received(doomed.path)).toHaveLength(0);

    const purged = await harness.get(WebhookRetention).purge();
    expect(purged).toMatchObject({ endpoints: 1, endpointDeliveries: 1 });
    const [{ n }] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE id = $1`, [doomed.id])) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('retries after 500s and timeouts with the same webhook-id, recording every attempt', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.updated']);
    receiver.respond(target.path, (_req, n) => (n === 1 ? { status: 500, body: 'boom' } : n === 2 ? { delayMs: 1500 } : { status: 204 }));
    const event = await harness.publish(domainEvent('contact.updated', ctx.tenant_id, { ...contactData(), changed: ['email'] }));
    const detail = await waitForDelivery(ctx, target.id, (d) => d.status === 'delivered');
    expect(detail.attempts.map((a) => [a.status_code, a.error])).toEqual([
      [500, null],
      [null, 'timed out after 1000 ms'],
      [204, null],
    ]);
    expect(detail.attempts[0]!.response_body).toBe('boom');
    expect(detail.last_status_code).toBe(204);
    const got = await receiver.waitFor(target.path, (all) => all.length >= 3);
    expect(new Set(got.map((d) => d.headers['webhook-id']))).toEqual(new Set([detail.id]));
    expect(got.every((d) => d.payload.id === event.id && d.verifiedWith.length === 1)).toBe(true);
  });

  it('waits as long as Retry-After says on a 429', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created']);
    receiver.respond(target.path, (_req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    const [first, second] = await receiver.waitFor(target.path, (all) => all.length >= 2);
    // The compressed schedule would retry after 100 ms; Retry-After asks for 1 s.
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    const detail = await waitForDelivery(ctx, target.id, (d) => d.status === 'delivered');
    expect(detail.attempts.map((a) => a.status_code)).toEqual([429, 200]);
  });

  it('disables the endpoint on 410 Gone and emits webhook.endpoint_disabled', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created']);
    receiver.respond(target.path, () => ({ status: 410 }));
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    const detail = await waitForDelivery(ctx, target.id, (d) => d.status === 'failed');
    expect(detail.attempts).toHaveLength(1);
    expect(await endpoints.get(ctx, target.id)).toMatchObject({ enabled: false, disabled_reason: 'gone' });
    const disabled = await spy.waitFor((e) => e.type === 'webhook.endpoint_disabled' && e.tenant_id === ctx.tenant_id);
    expect(disabled.data).toEqual({ endpoint_id: target.id, reason: 'gone' });
  });

  it('fails after the last scheduled attempt, then delivers on a manual retry and on recover', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created', 'webhook.attempt_exhausted']);
    const observer = await endpoint(ctx, ['webhook.*']);
    let healthy = false;
    receiver.respond(target.path, () => ({ status: healthy ? 200 : 503 }));
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    const failed = await waitForDelivery(ctx, target.id, (d) => d.status === 'failed');
    expect(failed.attempts.map((a) => a.status_code)).toEqual([503, 503, 503, 503]);
    expect(failed.next_attempt_at).toBeNull();
    const exhausted = await spy.waitFor((e) => e.type === 'webhook.attempt_exhausted' && e.tenant_id === ctx.tenant_id);
    expect(exhausted.data).toEqual({
      endpoint_id: target.id,
      delivery_id: failed.id,
      event_id: failed.event_id,
      event_type: 'contact.created',
      attempts: 4,
      last_status_code: 503,
      last_error: 'HTTP 503',
    });
    // Delivered to the other endpoint that subscribed, never to the one it is about.
    const [told] = await receiver.waitFor(observer.path, (all) => all.some((d) => d.payload.type === 'webhook.attempt_exhausted'));
    expect(told!.payload.data).toEqual(exhausted.data);
    expect((await deliveries.list(ctx, target.id, { limit: 50, event_type: 'webhook.attempt_exhausted' })).data).toHaveLength(0);

    healthy = true;
    const retried = await deliveries.retry(ctx, target.id, failed.id);
    expect(retried.status).toBe('pending');
    const delivered = await waitForDelivery(ctx, target.id, (d) => d.status === 'delivered');
    expect(delivered.id).toBe(failed.id);
    expect(delivered.attempts.map((a) => a.status_code)).toEqual([503, 503, 503, 503, 200]);

    healthy = false;
    const since = new Date().toISOString();
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData('b@example.com')));
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData('c@example.com')));
    await waitForCount(ctx, target.id, { status: 'failed' }, 2);
    healthy = true;
    const started = await harness.get(RecoveriesService).start(ctx, target.id, { since });
    expect(started).toMatchObject({ status: 'running', total: 2 });
    const done = await eventually(
      () => harness.get(RecoveriesService).get(ctx, target.id, started.id),
      (r) => r.status === 'completed',
    );
    expect(done.recovered).toBe(2);
    await waitForCount(ctx, target.id, { status: 'delivered' }, 3);
    expect((await deliveries.list(ctx, target.id, { limit: 50, status: 'failed' })).data).toHaveLength(0);
  });

  it('signs with both secrets during a rotation', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['contact.created']);
    const rotated = await endpoints.rotateSecret(ctx, target.id);
    expect(rotated.secret).not.toBe(target.secret);
    expect(Date.parse(rotated.previous_secret_expires_at!) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    receiver.expectSecrets(target.path, [rotated.secret, target.secret]);
    await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    const [got] = await receiver.waitFor(target.path, (all) => all.length >= 1);
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(got!.verifiedWith).toEqual([rotated.secret, target.secret]);
    expect(got!.legacyVerifiedWith).toEqual([rotated.secret, target.secret]);
  });

  it('sends a webhook.test event whatever the filters', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, ['list.member_removed']);
    const sent = await deliveries.sendTest(ctx, target.id);
    expect(sent).toMatchObject({ status: 'pending', event_type: 'webhook.test' });
    const [got] = await receiver.waitFor(target.path, (all) => all.length >= 1);
    expect(got!.payload).toMatchObject({ type: 'webhook.test', data: { message: expect.any(String) } });
    expect(got!.headers['webhook-id']).toBe(sent.id);
  });
});

describe('webhooks service: endpoint limits', () => {
  let harness: WebhooksHarness;
  let receiver: WebhookReceiver;
  let spy: EventSpy;

  beforeAll(async () => {
    harness = await WebhooksHarness.start({
      WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms',
      WEBHOOK_DISABLE_AFTER_FAILING: '300ms',
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      WEBHOOK_TIMEOUT: '5s',
    });
    spy = await EventSpy.start();
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
    await spy?.stop();
  });

  it('disables an endpoint failing for longer than configured and emits webhook.endpoint_disabled', async () => {
    const ctx = testContext();
    const endpoints = harness.get(EndpointsService);
    const created = await endpoints.create(ctx, { url: receiver.url('/down'), events: ['*'] });
    receiver.respond('/down', () => ({ status: 500 }));
    await harness.publish(domainEvent('contact.deleted', ctx.tenant_id, { id: 'con_1', version: 2 }));
    const event = await spy.waitFor((e) => e.type === 'webhook.endpoint_disabled' && e.tenant_id === ctx.tenant_id, 30000);
    expect(event.data).toEqual({ endpoint_id: created.id, reason: 'failing' });
    expect(await endpoints.get(ctx, created.id)).toMatchObject({ enabled: false, disabled_reason: 'failing' });
  });

  it('caps the deliveries in flight to one endpoint, while other endpoints proceed', async () => {
    const ctx = testContext();
    const endpoints = harness.get(EndpointsService);
    const slow = await endpoints.create(ctx, { url: receiver.url('/slow'), events: ['contact.created'] });
    const fast = await endpoints.create(ctx, { url: receiver.url('/fast'), events: ['contact.created'] });
    receiver.respond('/slow', () => ({ delayMs: 200 }));
    const events = [];
    for (let i = 0; i < 12; i++) events.push(await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData())));
    await receiver.waitFor('/fast', (all) => all.length >= 12);
    await receiver.waitFor('/slow', (all) => all.length >= 12);
    expect(receiver.maxConcurrent('/slow')).toBeLessThanOrEqual(2);
    expect(receiver.maxConcurrent('/slow')).toBe(2);
    // The receiver records a request when it arrives; the last delivery's outcome is written once its 200 ms answer is back.
    const slowDeliveries = await eventually(
      () => harness.get(DeliveriesService).list(ctx, slow.id, { limit: 50 }),
      (page) => page.data.length === 12 && page.data.every((d) => d.status !== 'pending'),
    );
    expect(slowDeliveries.data.every((d) => d.attempt_count === 1 && d.status === 'delivered')).toBe(true);
    expect(fast.id).not.toBe(slow.id);
  });

  it('does not let a slow endpoint hold the connections of another endpoint on the same origin', async () => {
    const ctx = testContext();
    const endpoints = harness.get(EndpointsService);
    await endpoints.create(ctx, { url: receiver.url('/same-origin-slow'), events: ['contact.created'] });
    await endpoints.create(ctx, { url: receiver.url('/same-origin-fast'), events: ['contact.created'] });
    receiver.respond('/same-origin-slow', () => ({ delayMs: 2000 }));
    for (let i = 0; i < 10; i++) await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    const fast = await receiver.waitFor('/same-origin-fast', (all) => all.length >= 10);
    // The slow endpoint holds its 2 slots for 2 s each. The fast endpoint's ten arrive before the first of those
    // is even answered: it never waited for a connection the slow one held.
    const firstSlow = Math.min(...receiver.received('/same-origin-slow').map((d) => d.receivedAt));
    expect(Math.max(...fast.map((d) => d.receivedAt))).toBeLessThan(firstSlow + 2000);
    await receiver.waitFor('/same-origin-slow', (all) => all.length >= 10);
  });

  it('parks the backlog of a saturated endpoint instead of polling it: each waiting job is woken once by a freed slot', async () => {
    const ctx = testContext();
    const endpoints = harness.get(EndpointsService);
    const slow = await endpoints.create(ctx, { url: receiver.url('/parked'), events: ['contact.created'] });
    receiver.respond('/parked', () => ({ delayMs: 300 }));
    const attempts = jest.spyOn(harness.get(DeliveryAttemptService), 'attempt');
    const slots = harness.get(EndpointConcurrency);
    let sawParked = 0;
    for (let i = 0; i < 10; i++) await harness.publish(domainEvent('contact.created', ctx.tenant_id, contactData()));
    await receiver.waitFor('/parked', (all) => {
      void slots.parked(slow.id).then((ids) => (sawParked = Math.max(sawParked, ids.length)));
      return all.length >= 10;
    });
    const forSlow = attempts.mock.calls.length;
    attempts.mockRestore();
    // 2 slots, 300 ms each: 8 jobs had to wait ~0.3–1.2 s. Polled every 100–500 ms they would be tried
    // again and again; parked, each is tried once when it arrives and once when a slot wakes it.
    expect(sawParked).toBeGreaterThan(0);
    expect(forSlow).toBeLessThanOrEqual(2 * 10);
    expect(await slots.parked(slow.id)).toEqual([]);
    expect(receiver.maxConcurrent('/parked')).toBe(2);
  });
});
