/** The segment builder's live preview: one request per pause, the last rules win, and a 429 waits for Retry-After (bounded) and retries. */
import { describe, expect, it } from '@jest/globals';
import { LivePreview, retryWaitSeconds, type PreviewFailure, type PreviewState } from './live-preview';

class HttpFailure extends Error implements PreviewFailure {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(`HTTP ${status}`);
  }
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** A preview under test: `answer` decides each call's outcome; sleeps return at once and are recorded. */
function harness(
  answer: (query: string, call: number) => Promise<number>,
  options: { maxRetries?: number; onState?: (state: PreviewState<number, HttpFailure>, preview: LivePreview<string, number, HttpFailure>) => void } = {},
) {
  const { onState, ...previewOptions } = options;
  const queries: string[] = [];
  const sleeps: number[] = [];
  const states: PreviewState<number, HttpFailure>[] = [];
  const preview = new LivePreview<string, number, HttpFailure>(
    (query) => {
      queries.push(query);
      return answer(query, queries.length);
    },
    (err) => (err instanceof HttpFailure ? err : new HttpFailure(0)),
    (state) => {
      states.push(state);
      onState?.(state, preview);
    },
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...previewOptions,
    },
  );
  return { preview, queries, sleeps, states, last: () => states[states.length - 1] };
}

describe('live preview', () => {
  it('asks once, after the pause, for the rules as they are when the pause ends', async () => {
    const h = harness(async (q) => q.length);
    h.preview.update('a');
    h.preview.update('ab');
    h.preview.update('abc');
    await flush();
    expect(h.queries).toEqual(['abc']);
    expect(h.sleeps).toEqual([400, 400, 400]);
    expect(h.last()).toEqual({ result: 3, busy: false });
  });

  it('keeps the last result while newer rules are asked for', async () => {
    const second = deferred<number>();
    const h = harness(async (_q, call) => (call === 1 ? 7 : second.promise));
    h.preview.update('first');
    await flush();
    h.preview.update('second');
    await flush();
    expect(h.last()).toEqual({ result: 7, busy: true });
    second.resolve(9);
    await flush();
    expect(h.last()).toEqual({ result: 9, busy: false });
  });

  it('waits for Retry-After after a 429, counting the seconds down, then retries', async () => {
    const h = harness(async (_q, call) => {
      if (call === 1) throw new HttpFailure(429, 3);
      return 42;
    });
    h.preview.update('rules');
    await flush();
    expect(h.queries).toEqual(['rules', 'rules']);
    expect(h.sleeps).toEqual([400, 1000, 1000, 1000]);
    expect(h.states).toEqual([
      { result: undefined, busy: true },
      { busy: true, retryInSeconds: 3 },
      { busy: true, retryInSeconds: 2 },
      { busy: true, retryInSeconds: 1 },
      { result: 42, busy: false },
    ]);
  });

  it('bounds the wait: a long Retry-After waits at most 30 s before trying again', async () => {
    const h = harness(async (_q, call) => {
      if (call === 1) throw new HttpFailure(429, 3600);
      return 1;
    });
    h.preview.update('rules');
    await flush();
    expect(h.sleeps.filter((ms) => ms === 1000)).toHaveLength(30);
    expect(h.states.find((s) => s.retryInSeconds !== undefined)).toEqual({ busy: true, retryInSeconds: 30 });
    expect(h.last()).toEqual({ result: 1, busy: false });
  });

  it('gives up after maxRetries and shows the 429 itself', async () => {
    const h = harness(
      async () => {
        throw new HttpFailure(429, 1);
      },
      { maxRetries: 2 },
    );
    h.preview.update('rules');
    await flush();
    expect(h.queries).toHaveLength(3);
    expect(h.last()).toEqual({ error: new HttpFailure(429, 1), busy: false });
    expect(h.last()?.error?.status).toBe(429);
  });

  it('shows any other error at once, without retrying', async () => {
    const h = harness(async () => {
      throw new HttpFailure(400);
    });
    h.preview.update('bad rules');
    await flush();
    expect(h.queries).toEqual(['bad rules']);
    expect(h.last()?.error?.status).toBe(400);
    expect(h.last()?.busy).toBe(false);
  });

  it('the last rules win: an older answer arriving later never replaces a newer one', async () => {
    const older = deferred<number>();
    const newer = deferred<number>();
    const h = harness((q) => (q === 'older' ? older.promise : newer.promise));
    h.preview.update('older');
    await flush();
    h.preview.update('newer');
    await flush();
    newer.resolve(2);
    await flush();
    older.resolve(1);
    await flush();
    expect(h.last()).toEqual({ result: 2, busy: false });
    expect(h.states.some((s) => s.result === 1)).toBe(false);
  });

  it('an older failure arriving later is not shown over a newer answer', async () => {
    const older = deferred<number>();
    const h = harness((q) => (q === 'older' ? older.promise : Promise.resolve(5)));
    h.preview.update('older');
    await flush();
    h.preview.update('newer');
    await flush();
    older.reject(new HttpFailure(429, 1));
    await flush();
    expect(h.queries).toEqual(['older', 'newer']);
    expect(h.last()).toEqual({ result: 5, busy: false });
  });

  it('new rules during a rate-limit wait abandon the old rules: they are never asked for again', async () => {
    let edited = false;
    const h = harness(
      async (q, call) => {
        if (call === 1) throw new HttpFailure(429, 5);
        return q.length;
      },
      {
        // The user edits the rules while the countdown shows.
        onState: (state, preview) => {
          if (state.retryInSeconds === 5 && !edited) {
            edited = true;
            preview.update('edited rules');
          }
        },
      },
    );
    h.preview.update('rules');
    await flush();
    expect(h.queries).toEqual(['rules', 'edited rules']);
    expect(h.states.filter((s) => s.retryInSeconds !== undefined)).toEqual([{ busy: true, retryInSeconds: 5 }]);
    expect(h.last()).toEqual({ result: 12, busy: false });
  });

  it('reports nothing once disposed', async () => {
    const answer = deferred<number>();
    const h = harness(() => answer.promise);
    h.preview.update('rules');
    await flush();
    h.preview.dispose();
    const seen = h.states.length;
    answer.resolve(3);
    await flush();
    expect(h.states).toHaveLength(seen);
  });
});

describe('retryWaitSeconds', () => {
  const options = { maxWaitSeconds: 30, defaultWaitSeconds: 2 };
  it("is the 429's Retry-After in whole seconds, at least 1 and at most the bound", () => {
    expect(retryWaitSeconds(3, options)).toBe(3);
    expect(retryWaitSeconds(2.2, options)).toBe(3);
    expect(retryWaitSeconds(0, options)).toBe(1);
    expect(retryWaitSeconds(3600, options)).toBe(30);
    expect(retryWaitSeconds(undefined, options)).toBe(2);
    expect(retryWaitSeconds(Number.NaN, options)).toBe(2);
  });
});
