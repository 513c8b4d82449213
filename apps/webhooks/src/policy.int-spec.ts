/**
 * Per-endpoint delivery policy (SPEC §14) on real PostgreSQL, Redis and
 * Kafka: custom headers sent but never shown, the endpoint's own timeout and
 * retry schedule, its in-flight cap, and a rate limit that holds exactly
 * across two instances of the service working the same queue.
 */
import { randomBytes } from 'node:crypto';
import { eventually, testContext, WebhookReceiver } from '@sigil/testing';
import type { CreateWebhookRequest, RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { EndpointsService } from './endpoints/endpoints.service';
import { FanoutService } from './fanout/fanout.service';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const member = (n: number) => ({ list_id: 'lst_policy', contact_id: `con_${n}` });

describe('per-endpoint delivery policy', () => {
  let harness: WebhooksHarness;
  let replica: WebhooksHarness;
  let receiver: WebhookReceiver;
  let endpoints: EndpointsService;
  let deliveries: DeliveriesService;

  beforeAll(async () => {
    // A service default that the endpoints' own values visibly override.
    const env = { WEBHOOK_TIMEOUT: '5s', WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms' };
    harness = await WebhooksHarness.start(env);
    replica = await WebhooksHarness.start(env, harness);
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
    const created = await endpoints.create(ctx, { url: receiver.url(path), events: ['list.member_added'], ...extra });
    receiver.expectSecrets(path, [created.secret]);
    return { ...created, path };
  }

  const fanout = (ctx: RequestContext, n: number) =>
    harness.get(FanoutService).acceptBatch(Array.from({ length: n }, (_, i) => domainEvent('list.member_added', ctx.tenant_id, member(i))));

  it('sends custom headers with every delivery and never shows their values', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { headers: { 'X-Api-Key': 'sk_receiver_secret', 'X-Tenant': 'acme' } });
    expect(target.headers).toEqual({ 'X-Api-Key': '[redacted]', 'X-Tenant': '[redacted]' });
    expect(JSON.stringify(target)).not.toContain('sk_receiver_secret');
    await fanout(ctx, 1);
    const [got] = await receiver.waitFor(target.path, (all) => all.length === 1);
    expect(got!.headers['x-api-key']).toBe('sk_receiver_secret');
    expect(got!.headers['x-tenant']).toBe('acme');
    expect(got!.verifiedWith).toEqual([target.secret]);
    for (const view of [await endpoints.get(ctx, target.id), (await endpoints.list(ctx, { limit: 50 })).data.find((w) => w.id === target.id)!]) {
      expect(view.headers).toEqual({ 'X-Api-Key': '[redacted]', 'X-Tenant': '[redacted]' });
      expect(JSON.stringify(view)).not.toContain('sk_receiver_secret');
    }
    const updated = await endpoints.update(ctx, target.id, { headers: { Authorization: 'Bearer next' } });
    expect(updated.headers).toEqual({ Authorization: '[redacted]' });
    expect(JSON.stringify(updated)).not.toContain('Bearer next');
    // Other changes keep the headers.
    expect((await endpoints.update(ctx, target.id, { description: 'x' })).headers).toEqual({ Authorization: '[redacted]' });
    expect((await endpoints.update(ctx, target.id, { headers: null })).headers).toEqual({});
  });

  it("uses the endpoint's timeout and retry schedule instead of the service's", async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { timeout_ms: 1000, retry_schedule: ['200ms'] });
    expect(target).toMatchObject({ timeout_ms: 1000, retry_schedule: ['200ms'] });
    receiver.respond(target.path, () => ({ delayMs: 2000 }));
    await fanout(ctx, 1);
    const [failed] = await eventually(
      async () => (await deliveries.list(ctx, target.id, { limit: 50, status: 'failed' })).data,
      (d) => d.length === 1,
      30_000,
    );
    const detail = await deliveries.get(ctx, target.id, failed!.id);
    // Two attempts (one retry), each cut at 1 s, not the service's four attempts of 5 s.
    expect(detail.attempts.map((a) => a.error)).toEqual(['timed out after 1000 ms', 'timed out after 1000 ms']);
    expect(detail.attempts.every((a) => a.latency_ms < 2000)).toBe(true);
  });

  it('caps the deliveries in flight at max_in_flight', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx, { max_in_flight: 2 });
    receiver.respond(target.path, () => ({ delayMs: 200 }));
    await fanout(ctx, 8);
    await receiver.waitFor(target.path, (all) => all.length === 8, 30_000);
    expect(receiver.maxConcurrent(target.path)).toBe(2);
  });

  it('never sends more than rate_limit_per_second in any second, across two replicas', async () => {
    const ctx = testContext();
    const limit = 5;
    const target = await endpoint(ctx, { rate_limit_per_second: limit });
    await fanout(ctx, 30);
    const got = await receiver.waitFor(target.path, (all) => all.length === 30, 60_000);
    const starts = got.map((d) => d.startedAt).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0; i < starts.length; i++) {
      let j = i;
      while (j < starts.length && starts[j]! - starts[i]! < 1000) j++;
      worst = Math.max(worst, j - i);
    }
    expect(worst).toBe(limit);
    // 30 at 5 per second: the last one starts no sooner than 5 s after the first.
    expect(starts[starts.length - 1]! - starts[0]!).toBeGreaterThanOrEqual(5 * 1000 - 100);
    const ids = got.map((d) => d.payload.id);
    expect(new Set(ids).size).toBe(30);
  });
});
