/**
 * The rate limiter's checks of one turn of the event loop, sent together: the
 * script, once per request, was one socket write to Redis per request (a
 * quarter of the gateway's busy time on `GET /v1/me` at saturation, in the
 * write syscall). The platform's `Coalescer` gathers the calls until
 * `setImmediate` (after the turn's I/O callbacks, so the requests read in the
 * same turn share it) and gives each caller its own result or error; this
 * file says how a batch goes — a Redis pipeline: one write, each script still
 * atomic on its own and run in call order. A lone call takes the single path.
 * A batch not answered within `timeoutMs` fails every call in it (one timer
 * per batch, not one per call), and a late answer is ignored. No bound on a
 * batch's size or on batches in flight: a check never waits for another
 * batch's answer.
 */
import { Coalescer, type ItemResult } from '@sigil/platform';

/** One command's answer in a pipeline's `exec()`: its error, or its result. */
export type BatchResult<R> = [error: Error | null, result?: R];

export function limiterBatch<A, R>(
  single: (args: A) => Promise<R>,
  /** Runs the calls in order; one result per call, in the same order. */
  many: (calls: A[]) => Promise<BatchResult<R>[] | null>,
  timeoutMs: number,
): Coalescer<A, R> {
  const run = (calls: A[]): Promise<ItemResult<R>[]> => {
    const answer: Promise<ItemResult<R>[]> =
      calls.length === 1
        ? single(calls[0]!).then((value) => [{ ok: true, value }])
        : many(calls).then((results) =>
            calls.map((_, i): ItemResult<R> => {
              const r = results?.[i];
              if (!r) return { ok: false, error: new Error('no result for a batched call') };
              return r[0] ? { ok: false, error: r[0] } : { ok: true, value: r[1] as R };
            }),
          );
    return withTimeout(answer, timeoutMs);
  };
  return new Coalescer(run, { maxBatch: Infinity, maxInFlight: Infinity });
}

/** `p`, or a rejection once `ms` have passed without its answer (which is then ignored); the timer goes with the answer. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
