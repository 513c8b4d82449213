/**
 * Commits an event consumer's offsets on an interval instead of after every
 * fetched batch. kafkajs commits after each partition's batch whatever
 * `autoCommitInterval` says (runner.js), and under a steady write load a
 * fetch brings a few events per partition: the four event consumers sent
 * about one OffsetCommit per event created (5 900 in 10 s at 550 creates/s,
 * five for every fetch), each a request the broker writes to
 * `__consumer_offsets` and the consumer waits for.
 *
 * Event handlers are idempotent (`processOnce`, `processNewEvents`: the
 * processed-events inbox), so an offset committed late only means a crashed
 * or rebalanced consumer's successor sees up to one interval of events again
 * and skips them. Offsets are recorded once their handler resolved, as
 * before; what is pending is committed every `intervalMs`, and at once when
 * the consumer stops (before it leaves the group). A failed commit (a
 * rebalance took the partition) is dropped: the successor starts from the
 * last committed offset and the inbox absorbs the repeats.
 *
 * Reply consumers commit on an interval too: a reply read again finds no
 * caller waiting and is dropped (service-topics-client-kafka.ts).
 * Request consumers (`OffsetCommitter.eager`) commit as soon as the
 * commit before has returned instead: what is handled meanwhile goes in the
 * next one. Their handlers are not all idempotent (a create without an
 * Idempotency-Key), so the window in which a crash redelivers stays what
 * kafkajs' own commit after each batch left (one round trip); but the fetch
 * loop no longer waits for that round trip before it fetches again, and the
 * batches of every partition fetched meanwhile share one commit.
 *
 * A request whose handler writes nothing (`@HandleRpc(def, { readOnly: true })`)
 * is handled `lazy`: served again after a crash it does no harm (its caller
 * has a reply or has given up, and a reply nobody waits for is dropped), so
 * its offset waits for the interval or the next eager commit. A read alone
 * then costs no OffsetCommit: one broker request and two wake-ups fewer on
 * the request path (docs/performance.md, session 11).
 */
import type { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';

export const EVENT_COMMIT_INTERVAL_MS = 500;

type Commit = (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>;

/** A partition's next offset to commit, and whether a request that must not run twice is behind it. */
interface Pending {
  offset: TopicPartitionOffsetAndMetadata;
  eager: boolean;
}

export class OffsetCommitter {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Eager mode: a commit is queued behind the one in flight. */
  private queued = false;

  /**
   * `eager`: a request handled with `lazy` false is committed as soon as the commit in flight returned; `lazy` ones
   * (and everything in interval mode) wait for the interval, or ride along with the next eager commit.
   */
  constructor(
    private readonly commit: Commit,
    private readonly intervalMs = EVENT_COMMIT_INTERVAL_MS,
    private readonly onError: (err: unknown) => void = () => undefined,
    private readonly eager = false,
  ) {}

  static for(consumer: Pick<Consumer, 'commitOffsets'>, intervalMs?: number, onError?: (err: unknown) => void): OffsetCommitter {
    return new OffsetCommitter((offsets) => consumer.commitOffsets(offsets), intervalMs, onError);
  }

  /**
   * Commits what is handled as soon as the commit in flight (if any) returned: one commit in flight, one queued at
   * most. Requests handled `lazy` (read-only ones) are committed every `lazyIntervalMs` once started, or with the next
   * eager commit.
   */
  static eager(consumer: Pick<Consumer, 'commitOffsets'>, onError?: (err: unknown) => void, lazyIntervalMs = EVENT_COMMIT_INTERVAL_MS): OffsetCommitter {
    return new OffsetCommitter((offsets) => consumer.commitOffsets(offsets), lazyIntervalMs, onError, true);
  }

  /**
   * The message at `offset` was handled: the partition's next offset to read is `offset + 1`. `lazy`: serving it
   * again would do no harm (eager mode only; see the constructor).
   */
  handled(topic: string, partition: number, offset: string, lazy = false): void {
    const next = (BigInt(offset) + 1n).toString();
    const key = `${topic}\u0000${partition}`;
    const current = this.pending.get(key);
    const eager = this.eager && !lazy;
    if (current && BigInt(current.offset.offset) >= BigInt(next)) {
      if (eager) current.eager = true;
    } else {
      this.pending.set(key, { offset: { topic, partition, offset: next }, eager: eager || current?.eager === true });
    }
    if (eager && !this.queued) {
      // After the current turn (the other messages of this fetch go in the same commit) and the commit in flight.
      this.queued = true;
      const previous = this.inFlight;
      this.inFlight = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => previous)
        .then(() => {
          this.queued = false;
          return this.commitPending();
        });
    }
  }

  /**
   * Drops the offsets of partitions where only lazy requests were handled since the last commit. Call it when the
   * consumer (re)joins its group: a partition may have been served by another member meanwhile, and a late commit
   * of an older offset would move the group's position back behind that member's writes. Offsets of eager requests
   * are kept, as before lazy ones existed: not committing them would serve those requests again.
   */
  forgetLazy(): void {
    for (const [key, p] of this.pending) if (!p.eager) this.pending.delete(key);
  }

  start(): void {
    if (this.intervalMs === 0) return;
    // Nothing pending (an idle consumer): no commit and no promise chain.
    this.timer ??= setInterval(() => this.pending.size > 0 && void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Commits what is pending now (one request for every partition); resolves when it is done or dropped. */
  flush(): Promise<void> {
    const run = this.inFlight.then(() => this.commitPending());
    this.inFlight = run;
    return run;
  }

  private async commitPending(): Promise<void> {
    if (!this.pending.size) return;
    const offsets = [...this.pending.values()].map((p) => p.offset);
    this.pending = new Map();
    try {
      await this.commit(offsets);
    } catch (err) {
      this.onError(err);
    }
  }

  /** Stops the interval and commits what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Offsets handled but not committed yet (tests). */
  get uncommitted(): TopicPartitionOffsetAndMetadata[] {
    return [...this.pending.values()].map((p) => p.offset);
  }
}
