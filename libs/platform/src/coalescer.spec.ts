/**
 * Coalescer: calls of one tick become one batch, calls arriving while the
 * batches in flight are at their limit go together in the next, each caller
 * gets its own result or error, and a batch that throws fails only its items.
 */
import { Coalescer, type ItemResult } from './coalescer';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

it('runs the calls of one tick as one batch and gives each caller its own result', async () => {
  const batches: number[][] = [];
  const c = new Coalescer<number, number>(
    async (items) => {
      batches.push(items);
      return items.map((i) => ({ ok: true, value: i * 10 }));
    },
    { maxBatch: 100, maxInFlight: 1 },
  );
  expect(await Promise.all([c.submit(1), c.submit(2), c.submit(3)])).toEqual([10, 20, 30]);
  expect(batches).toEqual([[1, 2, 3]]);
});

it('caps a batch at maxBatch, and gathers what arrives while the batches in flight are at their limit', async () => {
  const batches: number[][] = [];
  const gate = deferred<void>();
  const c = new Coalescer<number, number>(
    async (items) => {
      batches.push(items);
      await gate.promise;
      return items.map((i) => ({ ok: true, value: i }));
    },
    { maxBatch: 2, maxInFlight: 1 },
  );
  const first = [c.submit(1), c.submit(2), c.submit(3)];
  await new Promise((r) => setImmediate(r));
  const later = [c.submit(4), c.submit(5)];
  await new Promise((r) => setImmediate(r));
  expect(batches).toEqual([[1, 2]]); // one in flight; 3, 4, 5 wait
  gate.resolve();
  expect(await Promise.all([...first, ...later])).toEqual([1, 2, 3, 4, 5]);
  expect(batches).toEqual([[1, 2], [3, 4], [5]]);
});

it('fails only the items the batch says failed, and every item of a batch that throws', async () => {
  const c = new Coalescer<number, number>(
    async (items): Promise<ItemResult<number>[]> => {
      if (items.includes(99)) throw new Error('batch broke');
      return items.map((i) => (i % 2 ? { ok: true, value: i } : { ok: false, error: new Error(`item ${i}`) }));
    },
    { maxBatch: 10, maxInFlight: 1 },
  );
  const results = await Promise.allSettled([c.submit(1), c.submit(2)]);
  expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
  expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('item 2') });
  const broken = await Promise.allSettled([c.submit(3), c.submit(99)]);
  expect(broken.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(await c.submit(5)).toBe(5); // the coalescer goes on after a failed batch
});
