/**
 * The contact events of every partition handed over in one turn of the event
 * loop, applied by one call (one transaction). The consumer takes the
 * partitions of a fetch concurrently, one handler call per partition's batch;
 * keeping up with 500 updates/s over 6 partitions a call holds a few events
 * (estimated, not counted), and a transaction's fixed cost
 * (eight statements: about 7 ms of CPU in the service and PostgreSQL on the
 * bench machine, docs/segments.md) was most of what an update cost.
 *
 * Partitions hold distinct contacts (events are keyed by contact), so their
 * events may be applied together; each partition's stay in their order. A
 * group is at most `maxEvents` events (a larger batch goes alone). If a
 * group's call fails, each of its batches is applied on its own, so an event
 * that cannot be applied holds back its own partition only, as before.
 *
 * Under load, groups start at least `minIntervalMs` apart (issue #17): the
 * batches handed over meanwhile wait and join the next group, and kafkajs
 * fetches nothing new until every batch of its last fetch is applied, so
 * what arrives on the topic during the pause comes in the next fetch — one
 * transaction carries the events of the whole interval instead of the few
 * that arrived during the last transaction. A transaction's fixed cost (its
 * eight statements) was most of what an update cost while the consumer kept
 * up at 500 updates/s; the pause adds at most `minIntervalMs` to an event's
 * way, and none when the last group started longer ago (a quiet topic, or
 * transactions that take longer than the interval).
 */
interface Pending<E> {
  events: E[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class PartitionBatches<E> {
  private pending: Array<Pending<E>> = [];
  private scheduled = false;
  /** When the last group started (`now()`), -Infinity before the first. */
  private lastStart = -Infinity;

  constructor(
    private readonly apply: (events: E[]) => Promise<unknown>,
    private readonly maxEvents = 1000,
    private readonly minIntervalMs = 0,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Applies this partition's events with the other partitions' of this turn; resolves once they are applied. */
  submit(events: E[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        const wait = this.lastStart + this.minIntervalMs - this.now();
        if (wait > 0) setTimeout(() => this.flush(), wait);
        else setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    this.lastStart = this.now();
    const batches = this.pending;
    this.pending = [];
    let group: Array<Pending<E>> = [];
    let size = 0;
    for (const batch of batches) {
      if (group.length && size + batch.events.length > this.maxEvents) {
        void this.run(group);
        group = [];
        size = 0;
      }
      group.push(batch);
      size += batch.events.length;
    }
    if (group.length) void this.run(group);
  }

  private async run(group: Array<Pending<E>>): Promise<void> {
    if (group.length > 1) {
      try {
        await this.apply(group.flatMap((b) => b.events));
        for (const b of group) b.resolve();
        return;
      } catch {
        // Each on its own: only the batch that cannot be applied fails.
      }
    }
    await Promise.all(
      group.map(async (b) => {
        try {
          await this.apply(b.events);
          b.resolve();
        } catch (err) {
          b.reject(err);
        }
      }),
    );
  }
}
