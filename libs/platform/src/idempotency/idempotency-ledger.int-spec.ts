/**
 * The idempotency ledger on real PostgreSQL, through `serveRpc` as a
 * service runs it: a write handler that appends to the outbox, called again
 * with the same key (a client retrying after a 504 or a gateway crash), never
 * writes twice — sequentially, concurrently, or after its first attempt
 * failed — and a different request under the same key is refused.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RequestContext, RpcReply } from '@sigil/contracts';
import { createTestDatabase, dropTestDatabase } from '@sigil/testing';
import { createDataSource, runMigrationsLocked } from '../database/database.module';
import { OutboxJson1765500000000 } from '../database/outbox-json.migration';
import { SharedTables1764100000000 } from '../database/shared-tables.migration';
import { Conflict } from '../errors/domain-errors';
import { serveRpc } from '../kafka/rpc-serve';
import { OutboxWriter } from '../outbox/outbox.writer';
import { IdempotencyLedger, IdempotencyRecords1764200000000 } from './idempotency-ledger';

let databaseUrl: string;
let dataSource: DataSource;
let ledger: IdempotencyLedger;
const outbox = new OutboxWriter();
const TENANT = 'ten_idem';

beforeAll(async () => {
  databaseUrl = await createTestDatabase('idempotency');
  dataSource = createDataSource({
    url: databaseUrl,
    poolSize: 10,
    entities: [],
    migrations: [SharedTables1764100000000, IdempotencyRecords1764200000000, OutboxJson1765500000000],
    service: 'idempotency-test',
  });
  await dataSource.initialize();
  await runMigrationsLocked(dataSource, 'idempotency-test');
  // The handler's own effect: no unique constraint, so a second write would show as a second row.
  await dataSource.query(`CREATE TABLE activities (id serial PRIMARY KEY, tenant_id text NOT NULL, label text NOT NULL)`);
  ledger = new IdempotencyLedger(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** A write handler as services write them: one transaction, the row and its event. */
function recordActivity(label: string, options: { failAfterAppend?: boolean; slowMs?: number } = {}) {
  return async () =>
    dataSource.transaction(async (manager) => {
      const [row] = await manager.query(`INSERT INTO activities (tenant_id, label) VALUES ($1, $2) RETURNING id`, [TENANT, label]);
      await outbox.append(manager, [{ type: 'contact.deleted', tenant_id: TENANT, mode: 'live', key: label, data: { id: label, version: 1 } }]);
      if (options.slowMs) await new Promise((r) => setTimeout(r, options.slowMs));
      if (options.failAfterAppend) throw new Conflict('Something failed after the event was written.');
      return { id: row.id as number, label };
    });
}

function call(handler: () => Promise<unknown>, ctx: Partial<RequestContext>, pattern = 'sigil.test.activities.record'): Promise<RpcReply> {
  const request = { ctx: { tenant_id: TENANT, mode: 'live', request_id: randomUUID(), ...ctx } as RequestContext, payload: {} };
  return serveRpc({ pattern, request, ledger, handler: () => handler() });
}

async function rows(label: string): Promise<number> {
  const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM activities WHERE label = $1`, [label]);
  return row.n;
}

const keyed = (key: string, fingerprint = 'fp-1') => ({ idempotency: { key, fingerprint } });

describe('idempotency ledger (serveRpc + OutboxWriter on PostgreSQL)', () => {
  it('answers a retry with the first reply and does not write again', async () => {
    const key = randomUUID();
    const first = await call(recordActivity('seq'), keyed(key));
    const retry = await call(recordActivity('seq'), keyed(key));
    expect(first).toEqual({ data: { id: expect.any(Number), label: 'seq' } });
    expect(retry).toEqual(first);
    expect(await rows('seq')).toBe(1);
  });

  it('lets only one of concurrent duplicates write; the others get its reply or 409', async () => {
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 6 }, () => call(recordActivity('concurrent', { slowMs: 100 }), keyed(key))));
    expect(await rows('concurrent')).toBe(1);
    const written = replies.find((r) => 'data' in r);
    expect(written).toBeDefined();
    for (const reply of replies) {
      if ('data' in reply) expect(reply).toEqual(written);
      else expect(reply.error).toEqual(expect.objectContaining({ status: 409, code: 'idempotency_key_in_flight' }));
    }
    // Once the first has finished, every retry gets its reply.
    expect(await call(recordActivity('concurrent'), keyed(key))).toEqual(written);
  });

  it('refuses the same key with a different request (422), without writing', async () => {
    const key = randomUUID();
    await call(recordActivity('reuse'), keyed(key, 'fp-a'));
    const other = await call(recordActivity('reuse'), keyed(key, 'fp-b'));
    expect(other).toEqual({ error: expect.objectContaining({ status: 422, code: 'idempotency_key_reuse' }) });
    expect(await rows('reuse')).toBe(1);
  });

  it('forgets a key whose write failed: the retry writes', async () => {
    const key = randomUUID();
    const failed = await call(recordActivity('failed-first', { failAfterAppend: true }), keyed(key));
    expect(failed).toEqual({ error: expect.objectContaining({ status: 409, code: 'conflict' }) });
    expect(await rows('failed-first')).toBe(0);
    expect(await call(recordActivity('failed-first'), keyed(key))).toEqual({ data: expect.objectContaining({ label: 'failed-first' }) });
    expect(await rows('failed-first')).toBe(1);
  });

  it('answers 409 (never a second write) when the first reply was lost after its commit', async () => {
    const key = randomUUID();
    await call(recordActivity('lost-reply'), keyed(key));
    await dataSource.query(`UPDATE idempotency_records SET reply = NULL WHERE key_hash = $1`, [key]);
    expect(await call(recordActivity('lost-reply'), keyed(key))).toEqual({
      error: expect.objectContaining({ status: 409, code: 'idempotency_key_in_flight' }),
    });
    expect(await rows('lost-reply')).toBe(1);
  });

  it('scopes keys by tenant, mode and pattern', async () => {
    const key = randomUUID();
    await call(recordActivity('scoped'), keyed(key));
    await call(recordActivity('scoped'), { ...keyed(key), tenant_id: 'ten_other' });
    await call(recordActivity('scoped'), { ...keyed(key), mode: 'test' });
    await call(recordActivity('scoped'), keyed(key), 'sigil.test.activities.other');
    expect(await rows('scoped')).toBe(4);
  });

  it('does nothing without a key: every call writes', async () => {
    await call(recordActivity('unkeyed'), {});
    await call(recordActivity('unkeyed'), {});
    expect(await rows('unkeyed')).toBe(2);
  });

  it('prunes records older than 24 h', async () => {
    const key = randomUUID();
    await call(recordActivity('old'), keyed(key));
    await dataSource.query(`UPDATE idempotency_records SET created_at = now() - interval '25 hours' WHERE key_hash = $1`, [key]);
    await new IdempotencyLedger(dataSource).prune();
    const [left] = await dataSource.query(`SELECT count(*)::int AS n FROM idempotency_records WHERE key_hash = $1`, [key]);
    expect(left.n).toBe(0);
  });
});
