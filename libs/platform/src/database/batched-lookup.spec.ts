/** BatchedLookup: one fetch per turn, results by key, failures shared by the batch. */
import { BatchedLookup } from './batched-lookup';

describe('BatchedLookup', () => {
  const source = new Map([
    ['a', 1],
    ['b', 2],
  ]);

  function lookup(maxBatch?: number) {
    const calls: string[][] = [];
    const batched = new BatchedLookup<string, number>(
      async (keys) => {
        calls.push(keys);
        return new Map(keys.filter((k) => source.has(k)).map((k) => [k, source.get(k)!]));
      },
      (k) => k,
      maxBatch,
    );
    return { batched, calls };
  }

  it('answers the lookups of one turn with one fetch of their distinct keys', async () => {
    const { batched, calls } = lookup();
    const results = await Promise.all([batched.load('a'), batched.load('b'), batched.load('a'), batched.load('zz')]);
    expect(results).toEqual([1, 2, 1, undefined]);
    expect(calls).toEqual([['a', 'b', 'zz']]);
  });

  it('fetches again in a later turn (no cache)', async () => {
    const { batched, calls } = lookup();
    await batched.load('a');
    await batched.load('a');
    expect(calls).toEqual([['a'], ['a']]);
  });

  it('starts a fetch at once when the batch is full', async () => {
    const { batched, calls } = lookup(2);
    const all = Promise.all([batched.load('a'), batched.load('b'), batched.load('zz')]);
    expect(calls).toEqual([['a', 'b']]);
    await expect(all).resolves.toEqual([1, 2, undefined]);
    expect(calls).toEqual([['a', 'b'], ['zz']]);
  });

  it('fails every lookup of a batch whose fetch fails, and not the next batch', async () => {
    let fail = true;
    const batched = new BatchedLookup<string, number>(
      async () => {
        if (fail) throw new Error('database down');
        return new Map([['a', 1]]);
      },
      (k) => k,
    );
    const results = await Promise.allSettled([batched.load('a'), batched.load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(batched.load('a')).resolves.toBe(1);
  });
});
