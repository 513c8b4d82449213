/**
 * Coalesces calls that arrive close together into one batch call: the
 * webhooks delivery worker's per-attempt SQL (load the delivery, record its
 * outcome) becomes one statement for every attempt that reached that point
 * within a tick, or while the previous batch was still in flight; the
 * gateway's rate-limit checks of one tick go to Redis as one pipeline
 * (apps/gateway/src/rate-limit/limiter-batch.ts). Each caller still
 * gets its own result and waits until its batch has run — for a write, until
 * it is committed — so batching changes the cost, never what a caller may
 * assume when its promise resolves.
 */

/** What a batch gives each item: its result, or the error that item failed with. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: Error };

export interface CoalescerOptions {
  /** Most items in one batch. */
  maxBatch: number;
  /** Batches running at once; further items wait and go together in the next. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: Error) => void;
}

export class Coalescer<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `run` returns one result per item, in the items' order (or throws: every item of the batch fails with it). */
  constructor(
    private readonly run: (items: I[]) => Promise<ItemResult<O>[]>,
    private readonly options: CoalescerOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // After the current turn: the other attempts that got this far in it join the batch.
      setImmediate(() => {
        this.scheduled = false;
        this.drain();
      });
    });
  }

  private drain(): void {
    while (this.waiting.length && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.run(batch.map((w) => w.item))
        .then(
          (results) =>
            batch.forEach((w, i) => {
              const r = results[i];
              if (!r) w.reject(new Error('batch returned no result for this item'));
              else if (r.ok) w.resolve(r.value);
              else w.reject(r.error);
            }),
          (err: unknown) => batch.forEach((w) => w.reject(err instanceof Error ? err : new Error(String(err)))),
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }
}
