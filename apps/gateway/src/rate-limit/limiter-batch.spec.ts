/** limiterBatch: the checks of one turn go together, in order, and each caller gets its own result or error. */
import { limiterBatch, type BatchResult } from './limiter-batch';

const TIMEOUT_MS = 1000;

function harness(many: (calls: number[]) => Promise<BatchResult<string>[] | null>) {
  const singles: number[] = [];
  const batches: number[][] = [];
  const batch = limiterBatch<number, string>(
    (n) => {
      singles.push(n);
      return n < 0 ? Promise.reject(new Error(`single ${n}`)) : Promise.resolve(`one ${n}`);
    },
    (calls) => {
      batches.push(calls);
      return many(calls);
    },
    TIMEOUT_MS,
  );
  return { batch, singles, batches };
}

/** The end of the current turn: the batch the turn's calls made has been sent. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('limiterBatch', () => {
  it('sends the calls of one turn as one batch, in call order, and routes each result to its caller', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => [null, `r${n}`])));
    const results = [1, 2, 3].map((n) => h.batch.submit(n));
    await expect(Promise.all(results)).resolves.toEqual(['r1', 'r2', 'r3']);
    expect(h.batches).toEqual([[1, 2, 3]]);
    expect(h.singles).toEqual([]);
  });

  it('sends a lone call on the single path, and the next turn starts a new batch', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => [null, `r${n}`])));
    const first = h.batch.submit(7);
    await expect(first).resolves.toBe('one 7');
    const next = [h.batch.submit(8), h.batch.submit(9)];
    await expect(Promise.all(next)).resolves.toEqual(['r8', 'r9']);
    expect(h.singles).toEqual([7]);
    expect(h.batches).toEqual([[8, 9]]);
  });

  it('rejects only the call whose command failed, and every call when the batch itself fails', async () => {
    const h = harness((calls) => Promise.resolve(calls.map((n): BatchResult<string> => (n === 2 ? [new Error('NOSCRIPT-ish')] : [null, `r${n}`]))));
    const mixed = [1, 2, 3].map((n) => h.batch.submit(n));
    await expect(mixed[0]).resolves.toBe('r1');
    await expect(mixed[1]).rejects.toThrow('NOSCRIPT-ish');
    await expect(mixed[2]).resolves.toBe('r3');

    const down = harness(() => Promise.reject(new Error('connection closed')));
    const all = [4, 5].map((n) => down.batch.submit(n));
    await expect(all[0]).rejects.toThrow('connection closed');
    await expect(all[1]).rejects.toThrow('connection closed');

    const empty = harness(() => Promise.resolve(null));
    const none = [6, 7].map((n) => empty.batch.submit(n));
    await expect(none[1]).rejects.toThrow('no result');
    await expect(none[0]).rejects.toThrow('no result');
  });

  it('rejects a lone call with its own error', async () => {
    const h = harness(() => Promise.resolve([]));
    const lone = h.batch.submit(-1);
    await expect(lone).rejects.toThrow('single -1');
  });

  it('rejects every call of a batch that gets no answer in time, and ignores the late answer', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      let answer: (r: BatchResult<string>[]) => void = () => undefined;
      const h = harness(() => new Promise((resolve) => (answer = resolve)));
      const calls = [1, 2].map((n) => h.batch.submit(n));
      await turn();
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
      const two = [3, 4].map((n) => ok.batch.submit(n));
      await turn();
      await expect(Promise.all(two)).resolves.toEqual(['r3', 'r4']);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
