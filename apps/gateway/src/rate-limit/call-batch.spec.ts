/** CallBatch: the calls of one turn go together, in order, and each caller gets its own result or error. */
import { CallBatch, type BatchResult } from './call-batch';

const TIMEOUT_MS = 1000;

function harness(many: (calls: number[]) => Promise<BatchResult<string>[] | null>) {
  const flushes: (() => void)[] = [];
  const singles: number[] = [];
  const batches: number[][] = [];
  const batch = new CallBatch<number, string>(
    (n) => {
      singles.push(n);
      return n < 0 ? Promise.reject(new Error(`single ${n}`)) : Promise.resolve(`one ${n}`);
    },
    (calls) => {
      batches.push(calls);
      return many(calls);
    },
    TIMEOUT_MS,
    (flush) => flushes.push(flush),
  );
  const flush = () => flushes.splice(0).forEach((f) => f());
  return { batch, flushes, singles, batches, flush };
}

describe('CallBatch', () => {
  it('sends the calls of one turn as one batch, in call order, and routes each result to its caller', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => [null, `r${n}`])));
    const results = [1, 2, 3].map((n) => h.batch.call(n));
    expect(h.flushes).toHaveLength(1);
    h.flush();
    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3']);
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.singles).toEqual([]);
  });

  it('sends a lone call on the single path, and the next turn starts a new batch', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => [null, `r${n}`])));
    const first = h.batch.call(7);
    h.flush();
    await expect(first).resolves.toBe('one 7');
    const next = [h.batch.call(8), h.batch.call(9)];
    h.flush();
    await expect(Promise.all(next)).resolves.toEqual(['r8', 'r9']);
    expect(h.singles).toEqual([7]);
    expect(h.batches).toEqual([[8, 9]]);
  });

  it('rejects only the call whose command failed, and every call when the batch itself fails', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => (n === 2 ? [new Error('NOSCRIPT-ish')] : [null, `r${n}`]))));
    const mixed = [1, 2, 3].map((n) => h.batch.call(n));
    h.flush();
    await expect(mixed[0]).resolves.toBe('r1');
    await expect(mixed[1]).rejects.toThrow('NOSCRIPT-ish');
    await expect(mixed[2]).resolves.toBe('r3');

    const down = harness(() => Promise.reject(new Error('connection closed')));
    const all = [4, 5].map((n) => down.batch.call(n));
    down.flush();
    await expect(all[0]).rejects.toThrow('connection closed');
    await expect(all[1]).rejects.toThrow('connection closed');

    const empty = harness(() => Promise.resolve(null));
    const none = [6, 7].map((n) => empty.batch.call(n));
    empty.flush();
    await expect(none[1]).rejects.toThrow('no result');
    await expect(none[0]).rejects.toThrow('no result');
  });

  it('rejects a lone call with its own error', async () => {
    const h = harness(() => Promise.resolve([]));
    const lone = h.batch.call(-1);
    h.flush();
    await expect(lone).rejects.toThrow('single -1');
  });

  it('rejects every call of a batch that gets no answer in time, and ignores the late answer', async () => {
    jest.useFakeTimers();
    try {
      let answer: (r: BatchResult<string>[]) => void = () => undefined;
      const h = harness(() => new Promise((resolve) => (answer = resolve)));
      const calls = [1, 2].map((n) => h.batch.call(n));
      h.flush();
      jest.advanceTimersByTime(TIMEOUT_MS - 1);
      const early = await Promise.race([calls[0], Promise.resolve('pending')]);
      expect(early).toBe('pending');
      jest.advanceTimersByTime(1);
      await expect(calls[0]).rejects.toThrow(`no answer within ${TIMEOUT_MS} ms`);
      await expect(calls[1]).rejects.toThrow(`no answer within ${TIMEOUT_MS} ms`);
      answer([
        [null, 'late'],
        [null, 'late'],
      ]);
      // An answered batch leaves no timer behind.
      const ok = harness((c) => Promise.resolve(c.map((n): BatchResult<string> => [null, `r${n}`])));
      const two = [3, 4].map((n) => ok.batch.call(n));
      ok.flush();
      await expect(Promise.all(two)).resolves.toEqual(['r3', 'r4']);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
