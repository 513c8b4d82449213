/**
 * Retention (SPEC §14) on real PostgreSQL: the purge removes exactly the
 * deliveries, attempts, event bodies, inbox records and recoveries past
 * `WEBHOOK_RETENTION`, in batches of `WEBHOOK_PURGE_BATCH`; it keeps pending
 * deliveries and ones changed recently (and the bodies they need, so the
 * API still shows them), never waits for a locked row, and runs on one
 * replica at a time; a deleted endpoint goes with all its deliveries.
 */
import { newId } from '@sigil/platform';
import { eventually, testContext, WebhookReceiver } from '@sigil/testing';
import type { RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { EndpointsService } from './endpoints/endpoints.service';
import { FanoutService } from './fanout/fanout.service';
import { WebhookRetention } from './retention/webhook-retention';
import { PURGE_LOCK, WebhookRetentionRepository } from './retention/webhook-retention.repository';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('retention: purge of deliveries, attempts and event bodies', () => {
  let harness: WebhooksHarness;
  let receiver: WebhookReceiver;
  let retention: WebhookRetention;

  beforeAll(async () => {
    // The purge runs only when a test calls it.
    harness = await WebhooksHarness.start({ WEBHOOK_RETENTION: '1d', WEBHOOK_PURGE_BATCH: '7', WEBHOOK_PURGE_INTERVAL: '1h' });
    receiver = await WebhookReceiver.start();
    retention = harness.get(WebhookRetention);
  });

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
  });

  const endpoint = (ctx: RequestContext) => harness.endpointOn(receiver, ctx);

  /** A delivery as the service would have left it at `at` (its id and event id from that time, as ULIDs are). */
  async function seed(
    ctx: RequestContext,
    endpointId: string,
    o: { at: number; status: string; eventId?: string; updatedAt?: number; attempts?: number[] },
  ): Promise<{ id: string; eventId: string }> {
    const eventId = o.eventId ?? newId('evt', o.at);
    const id = newId('msg', o.at);
    await harness.dataSource.query(`INSERT INTO webhook_event_bodies (event_id, tenant_id, body) VALUES ($1, $3, $2) ON CONFLICT DO NOTHING`, [
      eventId,
      JSON.stringify({ id: eventId, type: 'list.member_added', created_at: new Date(o.at).toISOString(), data: { list_id: 'lst_1', contact_id: 'con_1' } }),
      ctx.tenant_id,
    ]);
    await harness.dataSource.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, status, attempt_count, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'list.member_added', $6, $7, $8, $9)`,
      [id, ctx.tenant_id, ctx.mode, endpointId, eventId, o.status, o.attempts?.length ?? 0, new Date(o.at), new Date(o.updatedAt ?? o.at)],
    );
    for (const [i, at] of (o.attempts ?? []).entries()) {
      await harness.dataSource.query(
        `INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, mode, attempted_at, status_code, latency_ms) VALUES ($1, $2, $3, $4, $5, 500, 10)`,
        [id, i + 1, ctx.tenant_id, ctx.mode, new Date(at)],
      );
    }
    return { id, eventId };
  }

  const count = async (sql: string, params: unknown[] = []) => ((await harness.dataSource.query(sql, params)) as [{ n: number }])[0].n;

  it('removes exactly what is past retention, in batches, and keeps pending and recently changed deliveries readable', async () => {
    const ctx = testContext();
    const a = await endpoint(ctx);
    const b = await endpoint(ctx);
    const old = Date.now() - 2 * DAY;
    const recent = Date.now() - HOUR;
    const statuses = ['delivered', 'failed', 'skipped'];
    const purged = [];
    for (let i = 0; i < 20; i++) purged.push(await seed(ctx, a.id, { at: old + i, status: statuses[i % 3]!, attempts: [old + i, old + i + 1] }));
    await harness.dataSource.query(
      `INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at, received_at)
       SELECT unnest($1::text[]), $2, $3, 'list.member_added', $4, $4`,
      [purged.map((p) => p.eventId), ctx.tenant_id, ctx.mode, new Date(old)],
    );
    // Still being attempted, and sharing the first purged delivery's event: kept, with its body.
    const pending = await seed(ctx, b.id, { at: old, status: 'pending', eventId: purged[0]!.eventId, attempts: [old, recent] });
    // Old, but sent again by hand an hour ago.
    const retried = await seed(ctx, a.id, { at: old + 100, status: 'delivered', updatedAt: recent, attempts: [old + 100, recent] });
    const fresh = await seed(ctx, a.id, { at: recent, status: 'delivered', attempts: [recent] });
    const recentInbox = newId('evt', recent);
    await harness.dataSource.query(`INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at) VALUES ($1, $2, $3, 'list.member_added', now())`, [
      recentInbox,
      ctx.tenant_id,
      ctx.mode,
    ]);
    const orphan = newId('evt', old);
    await harness.dataSource.query(`INSERT INTO webhook_event_bodies (event_id, tenant_id, body) VALUES ($1, $2, '{}')`, [orphan, ctx.tenant_id]);
    await harness.dataSource.query(
      `INSERT INTO webhook_recoveries (id, tenant_id, mode, endpoint_id, since, until, status, total, completed_at)
       VALUES ($1, $3, $4, $5, $6, $6, 'completed', 0, $6), ($2, $3, $4, $5, $6, $6, 'running', 0, NULL)`,
      [newId('whr'), newId('whr'), ctx.tenant_id, ctx.mode, a.id, new Date(old)],
    );

    const result = await retention.purge();
    // 20 deliveries in batches of 7 (7, 7, 6); their 40 attempts by cascade; the kept old deliveries' old attempts.
    expect(result).toMatchObject({ deliveries: 20, attempts: 2, bodies: 20, inbox: 20, recoveries: 1 });
    expect(result!.batches).toBeGreaterThanOrEqual(3 + 1 + 3 + 3 + 1);

    expect(await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE id = ANY($1)`, [purged.map((p) => p.id)])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = ANY($1)`, [purged.map((p) => p.id)])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_event_bodies WHERE event_id = ANY($1)`, [[...purged.slice(1).map((p) => p.eventId), orphan]])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM event_inbox WHERE event_id = $1`, [recentInbox])).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_recoveries WHERE endpoint_id = $1`, [a.id])).toBe(1);

    // What is kept reads as before through the API: bodies, statuses, the attempts within retention.
    const deliveries = harness.get(DeliveriesService);
    expect((await deliveries.list(ctx, a.id, { limit: 50 })).data.map((d) => d.id).sort()).toEqual([retried.id, fresh.id].sort());
    const keptPending = await deliveries.get(ctx, b.id, pending.id);
    expect(keptPending).toMatchObject({ status: 'pending', payload: { id: purged[0]!.eventId, type: 'list.member_added' } });
    expect(keptPending.attempts.map((x) => x.attempt)).toEqual([2]);
    const keptRetried = await deliveries.get(ctx, a.id, retried.id);
    expect(keptRetried.payload.id).toBe(retried.eventId);
    expect(keptRetried.attempts.map((x) => x.attempt)).toEqual([2]);
    expect((await deliveries.get(ctx, a.id, fresh.id)).attempts).toHaveLength(1);
    await expect(deliveries.get(ctx, a.id, purged[3]!.id)).rejects.toMatchObject({ code: 'not_found' });

    // Nothing more to do: a second run removes nothing.
    expect(await retention.purge()).toMatchObject({ deliveries: 0, attempts: 0, bodies: 0, inbox: 0, recoveries: 0 });
  });

  it('skips rows a worker holds instead of waiting, and runs on one replica at a time', async () => {
    const ctx = testContext();
    const a = await endpoint(ctx);
    const old = Date.now() - 2 * DAY;
    const rows = [];
    for (let i = 0; i < 3; i++) rows.push(await seed(ctx, a.id, { at: old + i, status: 'delivered', attempts: [old + i] }));

    const holder = harness.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, [rows[0]!.id]);
      const started = Date.now();
      expect(await retention.purge()).toMatchObject({ deliveries: 2, bodies: 2 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await count(`SELECT count(*)::int AS n FROM webhook_event_bodies WHERE event_id = $1`, [rows[0]!.eventId])).toBe(1);
      await holder.commitTransaction();
      expect(await retention.purge()).toMatchObject({ deliveries: 1, bodies: 1 });

      // Another replica's run holds the lock: this one skips its turn and deletes nothing.
      const late = await seed(ctx, a.id, { at: old, status: 'failed' });
      await holder.query(`SELECT pg_advisory_lock(hashtext($1))`, [PURGE_LOCK]);
      expect(await retention.purge()).toBeUndefined();
      expect(await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE id = $1`, [late.id])).toBe(1);
      await holder.query(`SELECT pg_advisory_unlock(hashtext($1))`, [PURGE_LOCK]);
      expect(await retention.purge()).toMatchObject({ deliveries: 1 });
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it("removes a deleted endpoint with all its deliveries, of any age and status, in batches, and nothing of another endpoint's", async () => {
    const ctx = testContext();
    const doomed = await endpoint(ctx);
    const kept = await endpoint(ctx);
    const now = Date.now();
    const statuses = ['pending', 'delivered', 'failed', 'skipped'];
    const gone = [];
    for (let i = 0; i < 16; i++) gone.push(await seed(ctx, doomed.id, { at: now - i * HOUR, status: statuses[i % 4]!, attempts: [now - i * HOUR] }));
    const keptRow = await seed(ctx, kept.id, { at: now, status: 'pending', eventId: gone[0]!.eventId });
    await harness.get(EndpointsService).delete(ctx, doomed.id);
    // Marked only: its rows are all there until the purge.
    expect(await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [doomed.id])).toBe(16);

    const result = await retention.purge();
    // 16 deliveries in batches of 7 (7, 7, 2), then the row.
    expect(result).toMatchObject({ endpoints: 1, endpointDeliveries: 16, deliveries: 0 });
    expect(result!.batches).toBeGreaterThanOrEqual(3);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_endpoints WHERE id = $1`, [doomed.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = ANY($1)`, [gone.map((g) => g.id)])).toBe(0);
    // The other endpoint's delivery of the same event stays, and so does the body it needs.
    expect((await harness.get(DeliveriesService).get(ctx, kept.id, keptRow.id)).payload.id).toBe(gone[0]!.eventId);
    expect(await retention.purge()).toMatchObject({ endpoints: 0, endpointDeliveries: 0 });
  });

  it('purges a delivery made by the service, with its attempt, body and inbox record, once it is past retention', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    const event = domainEvent('list.member_added', ctx.tenant_id, { list_id: 'lst_r', contact_id: 'con_r' });
    await harness.get(FanoutService).accept(event);
    await receiver.waitFor(target.path, (all) => all.length === 1);
    const deliveries = harness.get(DeliveriesService);
    const [sent] = (await deliveries.list(ctx, target.id, { limit: 10 })).data;
    await eventually(
      () => deliveries.get(ctx, target.id, sent!.id),
      (d) => d.status === 'delivered',
    );
    const body = await count(`SELECT count(*)::int AS n FROM webhook_event_bodies WHERE event_id = $1`, [event.id]);
    expect(body).toBe(1);

    await retention.purge();
    expect((await deliveries.get(ctx, target.id, sent!.id)).payload.id).toBe(event.id);

    // Two days later the retention (1 day) has passed.
    await retention.purge(new Date(Date.now() + 2 * DAY));
    await expect(deliveries.get(ctx, target.id, sent!.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await count(`SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1`, [sent!.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_event_bodies WHERE event_id = $1`, [event.id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM event_inbox WHERE event_id = $1`, [event.id])).toBe(0);
  });

  it('starts each batch after the rows the previous one removed, never again over what it kept or removed', async () => {
    const ctx = testContext();
    const a = await endpoint(ctx);
    const old = Date.now() - 3 * DAY;
    // The oldest rows are kept (pending): every batch that walked the key from its start read them again.
    for (let i = 0; i < 5; i++) await seed(ctx, a.id, { at: old + i, status: 'pending' });
    const purged: string[] = [];
    for (let i = 0; i < 16; i++) purged.push((await seed(ctx, a.id, { at: old + 10 + i, status: 'delivered' })).id);
    purged.sort();
    const repository = harness.get(WebhookRetentionRepository);
    const deleteDeliveries = jest.spyOn(repository, 'deleteDeliveries');
    const deleteInbox = jest.spyOn(repository, 'deleteInbox');
    try {
      expect(await retention.purge()).toMatchObject({ deliveries: 16 });
      // Batches of 7: 7, 7, 2; each after the greatest id the one before removed.
      expect(deleteDeliveries.mock.calls.map((c) => c[1])).toEqual(['', purged[6], purged[13]]);
      expect(deleteInbox.mock.calls.map((c) => c[1])).toEqual(['']);
    } finally {
      deleteDeliveries.mockRestore();
      deleteInbox.mockRestore();
    }
    expect(await count(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1`, [a.id])).toBe(5);
  });
});
