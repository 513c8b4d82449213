/**
 * Nothing left behind (SPEC §14) on real PostgreSQL, Redis and Kafka: events
 * arriving while an endpoint is disabled are kept as `skipped` deliveries, and
 * a background recovery after re-enabling sends exactly those, once; a
 * recovery abandoned by a dead replica is resumed from where it stopped.
 */
import { eventually, testContext, WebhookReceiver } from '@sigil/testing';
import type { RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { RecoveriesService } from './delivery/recoveries.service';
import { EndpointsService } from './endpoints/endpoints.service';
import { FanoutService } from './fanout/fanout.service';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const member = (n: number) => ({ list_id: 'lst_recovery', contact_id: `con_${n}` });

describe('skipped deliveries and background recovery', () => {
  let harness: WebhooksHarness;
  let receiver: WebhookReceiver;
  let endpoints: EndpointsService;
  let deliveries: DeliveriesService;
  let recoveries: RecoveriesService;

  beforeAll(async () => {
    harness = await WebhooksHarness.start();
    receiver = await WebhookReceiver.start();
    endpoints = harness.get(EndpointsService);
    deliveries = harness.get(DeliveriesService);
    recoveries = harness.get(RecoveriesService);
  });

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
  });

  const endpoint = (ctx: RequestContext) => harness.endpointOn(receiver, ctx);

  const countOf = async (ctx: RequestContext, id: string, status: 'skipped' | 'pending' | 'delivered' | 'failed') =>
    (await harness.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = $2`, [id, status]))[0].n as number;

  it('disable → 100 events → enable → recover delivers exactly those 100, once', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    const before = await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member(0)));
    await receiver.waitFor(target.path, (all) => all.length === 1);
    const since = new Date().toISOString();

    await endpoints.update(ctx, target.id, { enabled: false });
    const during = Array.from({ length: 100 }, (_, i) => domainEvent('list.member_added', ctx.tenant_id, member(i + 1)));
    for (const e of during) await harness.publish(e);
    await eventually(
      () => countOf(ctx, target.id, 'skipped'),
      (n) => n === 100,
      30_000,
    );
    const skipped = await deliveries.list(ctx, target.id, { limit: 100, status: 'skipped' });
    expect(skipped.data).toHaveLength(100);
    expect(skipped.data.every((d) => d.attempt_count === 0 && d.next_attempt_at === null)).toBe(true);
    expect(receiver.received(target.path)).toHaveLength(1); // nothing was sent while disabled

    await expect(recoveries.start(ctx, target.id, { since })).rejects.toMatchObject({ code: 'conflict' });
    await endpoints.update(ctx, target.id, { enabled: true });
    const after = await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member(101)));
    await receiver.waitFor(target.path, (all) => all.some((d) => d.payload.id === after.id));

    const started = await recoveries.start(ctx, target.id, { since });
    expect(started).toMatchObject({ webhook_id: target.id, status: 'running', total: 100, since });
    const done = await eventually(
      () => recoveries.get(ctx, target.id, started.id),
      (r) => r.status === 'completed',
      30_000,
    );
    expect(done).toMatchObject({ recovered: 100, total: 100 });
    expect(done.completed_at).not.toBeNull();

    await receiver.waitFor(target.path, (all) => all.length >= 102, 30_000);
    await eventually(
      () => countOf(ctx, target.id, 'delivered'),
      (n) => n === 102,
      30_000,
    );
    // A second recovery of the same window finds nothing left to send.
    const again = await recoveries.start(ctx, target.id, { since });
    expect(again.total).toBe(0);
    expect(
      (
        await eventually(
          () => recoveries.get(ctx, target.id, again.id),
          (r) => r.status === 'completed',
        )
      ).recovered,
    ).toBe(0);
    await new Promise((r) => setTimeout(r, 500));

    const got = receiver.received(target.path);
    expect(got).toHaveLength(102);
    const ids = got.map((d) => d.payload.id);
    expect(new Set(ids).size).toBe(102);
    expect(new Set(ids)).toEqual(new Set([before.id, after.id, ...during.map((e) => e.id)]));
    expect(got.every((d) => d.verifiedWith.length === 1)).toBe(true);
  });

  it('recovers only the [since, until) window', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    await endpoints.update(ctx, target.id, { enabled: false });
    const fanout = harness.get(FanoutService);
    await fanout.accept(domainEvent('list.member_added', ctx.tenant_id, member(1)));
    const since = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const inside = domainEvent('list.member_added', ctx.tenant_id, member(2));
    await fanout.accept(inside);
    await new Promise((r) => setTimeout(r, 20));
    const until = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await fanout.accept(domainEvent('list.member_added', ctx.tenant_id, member(3)));
    expect(await countOf(ctx, target.id, 'skipped')).toBe(3);

    await endpoints.update(ctx, target.id, { enabled: true });
    const started = await recoveries.start(ctx, target.id, { since: since.toISOString(), until: until.toISOString() });
    expect(started.total).toBe(1);
    await eventually(
      () => recoveries.get(ctx, target.id, started.id),
      (r) => r.status === 'completed',
    );
    await receiver.waitFor(target.path, (all) => all.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received(target.path).map((d) => d.payload.id)).toEqual([inside.id]);
    expect(await countOf(ctx, target.id, 'skipped')).toBe(2);
  });

  it("resumes a dead replica's recovery after its lease, from where it stopped", async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    await endpoints.update(ctx, target.id, { enabled: false });
    const fanout = harness.get(FanoutService);
    const events = Array.from({ length: 6 }, (_, i) => domainEvent('list.member_added', ctx.tenant_id, member(i)));
    for (const e of events) await fanout.accept(e);
    await endpoints.update(ctx, target.id, { enabled: true });
    const rows = (await harness.dataSource.query(`SELECT id, created_at FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, id`, [target.id])) as {
      id: string;
      created_at: Date;
    }[];
    // As a replica that queued the first three and died would leave it: cursor at the third, lease expired.
    await harness.dataSource.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = ANY($1)`, [rows.slice(0, 3).map((r) => r.id)]);
    await harness.dataSource.query(
      `INSERT INTO webhook_recoveries (id, tenant_id, mode, endpoint_id, since, until, total, recovered, cursor_created_at, cursor_id, lease_until)
       SELECT 'whr_01JD0000000000000000000001', $1, $2, $3, now() - interval '1 hour', now(), 6, 3, created_at, id, now() - interval '1 second'
         FROM webhook_deliveries WHERE id = $4`,
      [ctx.tenant_id, ctx.mode, target.id, rows[2]!.id],
    );
    expect(await recoveries.resumeAbandoned()).toBe(1);
    const done = await eventually(
      () => recoveries.get(ctx, target.id, 'whr_01JD0000000000000000000001'),
      (r) => r.status === 'completed',
    );
    expect(done.recovered).toBe(6);
    await receiver.waitFor(target.path, (all) => all.length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      receiver
        .received(target.path)
        .map((d) => d.payload.id)
        .sort(),
    ).toEqual(
      events
        .slice(3)
        .map((e) => e.id)
        .sort(),
    );
  });

  it("answers 404 for an unknown recovery id or another tenant's", async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    const started = await recoveries.start(ctx, target.id, { since: new Date(0).toISOString() });
    await expect(recoveries.get(ctx, target.id, 'whr_nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(recoveries.get(testContext(), target.id, started.id)).rejects.toMatchObject({ code: 'not_found' });
    const other = await endpoint(ctx);
    await expect(recoveries.get(ctx, other.id, started.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
