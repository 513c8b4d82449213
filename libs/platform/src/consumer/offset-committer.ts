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
 */
import type { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';

export const EVENT_COMMIT_INTERVAL_MS = 500;

type Commit = (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>;

export class OffsetCommitter {
  private pending = new Map<string, TopicPartitionOffsetAndMetadata>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly commit: Commit,
    private readonly intervalMs = EVENT_COMMIT_INTERVAL_MS,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  static for(consumer: Pick<Consumer, 'commitOffsets'>, intervalMs?: number, onError?: (err: unknown) => void): OffsetCommitter {
    return new OffsetCommitter((offsets) => consumer.commitOffsets(offsets), intervalMs, onError);
  }

  /** The message at `offset` was handled: the partition's next offset to read is `offset + 1`. */
  handled(topic: string, partition: number, offset: string): void {
    const next = (BigInt(offset) + 1n).toString();
    const key = `${topic}\u0000${partition}`;
    const current = this.pending.get(key);
    if (current && BigInt(current.offset) >= BigInt(next)) return;
    this.pending.set(key, { topic, partition, offset: next });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Commits what is pending now (one request for every partition); resolves when it is done or dropped. */
  flush(): Promise<void> {
    const run = this.inFlight.then(async () => {
      if (!this.pending.size) return;
      const offsets = [...this.pending.values()];
      this.pending = new Map();
      try {
        await this.commit(offsets);
      } catch (err) {
        this.onError(err);
      }
    });
    this.inFlight = run;
    return run;
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
