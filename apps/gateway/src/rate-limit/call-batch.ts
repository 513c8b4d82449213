/**
 * Gathers the calls made during one turn of the event loop and sends them
 * together: the rate limiter's script, once per request, was one socket
 * write to Redis per request (a quarter of the gateway's busy time on
 * `GET /v1/me` at saturation, in the write syscall). Calls queue until
 * `setImmediate` (after the turn's I/O callbacks, so the requests read in the
 * same turn share it), then go as one batch — a Redis pipeline: one write,
 * each script still atomic on its own and run in call order. A lone call
 * takes the single path. Each caller gets its own result or error. A batch
 * not answered within `timeoutMs` rejects every call in it (one timer per
 * batch, not one per call).
 */
export type BatchResult<R> = [error: Error | null, result?: R];

interface Pending<A, R> {
  args: A;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

export class CallBatch<A, R> {
  private queue: Pending<A, R>[] = [];

  constructor(
    private readonly single: (args: A) => Promise<R>,
    /** Runs the calls in order; one result per call, in the same order. */
    private readonly many: (calls: A[]) => Promise<BatchResult<R>[] | null>,
    private readonly timeoutMs: number,
    private readonly schedule: (flush: () => void) => void = (flush) => setImmediate(flush),
  ) {}

  call(args: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.queue.push({ args, resolve, reject }) === 1) this.schedule(this.flush);
    });
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      const err = new Error(`no answer within ${this.timeoutMs} ms`);
      for (const p of batch) p.reject(err);
    }, this.timeoutMs);
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const p of batch) p.reject(err);
    };
    if (batch.length === 1) {
      const only = batch[0]!;
      this.single(only.args).then((value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        only.resolve(value);
      }, fail);
      return;
    }
    const calls = new Array<A>(batch.length);
    for (let i = 0; i < batch.length; i++) calls[i] = batch[i]!.args;
    this.many(calls).then((results) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (let i = 0; i < batch.length; i++) {
        const r = results?.[i];
        if (!r) batch[i]!.reject(new Error('no result for a batched call'));
        else if (r[0]) batch[i]!.reject(r[0]);
        else batch[i]!.resolve(r[1] as R);
      }
    }, fail);
  };
}
