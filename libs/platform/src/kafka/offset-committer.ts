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
 */
import type { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';

export const EVENT_COMMIT_INTERVAL_MS = 500;

type Commit = (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>;

export class OffsetCommitter {
  private pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  /** Eager mode: a commit is queued behind the one in flight. */
  private queued = false;

  constructor(
    private readonly commit: Commit,
    private readonly intervalMs = EVENT_COMMIT_INTERVAL_MS,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  static for(consumer: Pick<Consumer, 'commitOffsets'>, intervalMs?: number, onError?: (err: unknown) => void): OffsetCommitter {
    return new OffsetCommitter((offsets) => consumer.commitOffsets(offsets), intervalMs, onError);
  }

  /** Commits what is handled as soon as the commit in flight (if any) returned: one commit in flight, one queued at most. */
  static eager(consumer: Pick<Consumer, 'commitOffsets'>, onError?: (err: unknown) => void): OffsetCommitter {
    return new OffsetCommitter((offsets) => consumer.commitOffsets(offsets), 0, onError);
  }

  /** The message at `offset` was handled: the partition's next offset to read is `offset + 1`. */
  handled(topic: string, partition: number, offset: string): void {
    const next = (BigInt(offset) + 1n).toString();
    const key = `${topic}\u0000${partition}`;
    const current = this.pending.get(key);
    if (current && BigInt(current.offset) >= BigInt(next)) return;
    this.pending.set(key, { topic, partition, offset: next });
    if (this.intervalMs === 0 && !this.queued) {
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

  start(): void {
    if (this.intervalMs === 0) return;
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
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
    const offsets = [...this.pending.values()];
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
    return [...this.pending.values()];
  }
}
