/**
 * Produces what travels together in one request: every `send` made within a
 * tick (or a short linger) is merged into one `sendBatch`, so N requests or
 * replies produced at once cost one produce request per broker instead of N
 * (kafkajs writes each request to the socket with its own syscall, which was
 * a tenth of the gateway's and of the contacts service's CPU under load).
 *
 * Each caller still gets its own promise: it resolves or rejects with the
 * batch that carried its messages (`send`); a caller that only needs to hear
 * of a failure posts with a callback instead (`post`: no promise per message,
 * the lean request path of `ServiceTopicsClientKafka`). Used for request/reply only — those
 * messages need no ordering between callers and carry nothing that the
 * outbox does not already make durable (see docs/performance.md).
 *
 * A batch holds at most `MAX_BATCH_VALUE_LENGTH` of message values (a larger
 * record travels alone): the messages of one partition in a request form
 * one record batch, which the broker refuses whole past the topic's 4 MiB
 * (MAX_MESSAGE_BYTES). Two segment-export replies of ~2 MiB each sent in one
 * tick to one reply partition would have failed together, with whatever
 * small replies rode along.
 */
import type { Kafka, Message, Producer, ProducerRecord, RecordMetadata, TopicMessages } from 'kafkajs';

export interface ProduceBatchingOptions {
  /** 0: flush when the current I/O phase is done (setImmediate); > 0: wait this long for more. */
  lingerMs: number;
  /** A batch this large is sent at once, without waiting for the linger. */
  maxMessages: number;
  /** Acknowledgement every batch asks for (kafkajs: -1 all in-sync replicas, 1 the leader). */
  acks: number;
}

/**
 * Message values one batch carries at most, in string length or bytes: a
 * string's UTF-8 is at most 3 bytes per unit, so a batch stays under 3 MiB.
 */
export const MAX_BATCH_VALUE_LENGTH = 1024 * 1024;

/** A record's values, as `MAX_BATCH_VALUE_LENGTH` counts them. */
function valueLength(messages: Message[]): number {
  let n = 0;
  for (const m of messages) n += m.value?.length ?? 0;
  return n;
}

/** Told when a posted message's batch failed, with the token it was posted with. */
export type PostFailed<T> = (err: unknown, token: T) => void;

interface Pending {
  topic: string;
  messages: Message[];
  /** A `send`: its promise. */
  resolve?: (metadata: RecordMetadata[]) => void;
  reject?: (err: unknown) => void;
  /** A `post`: told of a failure only. */
  failed?: PostFailed<unknown>;
  token?: unknown;
}

export class ProduceBatcher {
  private queue: Pending[] = [];
  private queued = 0;
  private queuedLength = 0;
  /** Cancels the scheduled flush, while one is scheduled. */
  private cancelScheduled: (() => void) | undefined;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly options: ProduceBatchingOptions,
  ) {}

  send(record: Pick<ProducerRecord, 'topic' | 'messages'>): Promise<RecordMetadata[]> {
    return new Promise<RecordMetadata[]>((resolve, reject) => this.enqueue({ topic: record.topic, messages: record.messages, resolve, reject }));
  }

  /** Queues messages like `send`, without a promise: `failed(err, token)` is called if their batch fails. */
  post<T>(topic: string, messages: Message[], failed: PostFailed<T>, token: T): void {
    this.enqueue({ topic, messages, failed: failed as PostFailed<unknown>, token });
  }

  private enqueue(pending: Pending): void {
    const length = valueLength(pending.messages);
    // What is queued leaves first when this record would take the batch past its size.
    if (this.queue.length && this.queuedLength + length > MAX_BATCH_VALUE_LENGTH) this.flush();
    this.queue.push(pending);
    this.queued += pending.messages.length;
    this.queuedLength += length;
    if (this.queued >= this.options.maxMessages || this.queuedLength >= MAX_BATCH_VALUE_LENGTH) this.flush();
    else this.cancelScheduled ??= this.schedule();
  }

  private schedule(): () => void {
    if (this.options.lingerMs > 0) {
      const timer = setTimeout(() => this.flush(), this.options.lingerMs);
      return () => clearTimeout(timer);
    }
    const immediate = setImmediate(() => this.flush());
    return () => clearImmediate(immediate);
  }

  /** Sends what is queued now (also called on shutdown so nothing waits for a timer). */
  flush(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    const batch = this.queue;
    if (!batch.length) return;
    this.queue = [];
    this.queued = 0;
    this.queuedLength = 0;
    const byTopic = new Map<string, Message[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic);
      if (list) list.push(...p.messages);
      else byTopic.set(p.topic, [...p.messages]);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    this.producer.sendBatch({ topicMessages, acks: this.options.acks }).then(
      (metadata) => {
        for (const p of batch) p.resolve?.(metadata.filter((m) => m.topicName === p.topic));
      },
      (err: unknown) => {
        for (const p of batch) {
          if (p.reject) p.reject(err);
          else p.failed!(err, p.token);
        }
      },
    );
  }
}

const batchers = new WeakMap<Producer, ProduceBatcher>();

/** The batcher a producer's `send` goes through (`withProduceBatching`), if any. */
export function produceBatcherOf(producer: Producer): ProduceBatcher | undefined {
  return batchers.get(producer);
}

/** The producer, its `send` going through a batcher (everything else untouched). */
export function withProduceBatching<P extends Producer>(producer: P, options: ProduceBatchingOptions): P {
  const batcher = new ProduceBatcher(producer, options);
  batchers.set(producer, batcher);
  const disconnect = producer.disconnect.bind(producer);
  return Object.assign(producer, {
    send: (record: ProducerRecord) => batcher.send(record),
    disconnect: async () => {
      batcher.flush();
      await disconnect();
    },
  });
}

/** The client, every producer it makes batching its sends (Nest's client and server create theirs inside). */
export function withBatchingProducers(kafka: Kafka, options: ProduceBatchingOptions): Kafka {
  const make = kafka.producer.bind(kafka);
  kafka.producer = (config) => withProduceBatching(make(config), options);
  return kafka;
}
