import { KafkaHeaders } from '@nestjs/microservices';
import type { EachMessagePayload } from 'kafkajs';
import { KafkaHeaderNames } from '@sigil/contracts';
import type { IdempotencyLedger } from '../idempotency/idempotency-ledger';
import { ConcurrentServerKafka } from './concurrent-server-kafka';

/** A server whose handlers finish when the test says so. */
class ControlledServer extends ConcurrentServerKafka {
  readonly started: string[] = [];
  private readonly finishers = new Map<string, () => void>();

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const id = payload.message.value!.toString();
    this.started.push(id);
    await new Promise<void>((resolve) => this.finishers.set(id, resolve));
  }

  finish(id: string): void {
    this.finishers.get(id)!();
  }
}

const message = (id: string) =>
  ({ topic: 't', partition: 0, message: { value: Buffer.from(id), headers: { [KafkaHeaderNames.rpcPattern]: Buffer.from('p') } } }) as unknown as EachMessagePayload;
const tick = () => new Promise((r) => setImmediate(r));

describe('ConcurrentServerKafka', () => {
  it('takes the next message of a partition without waiting for the previous handler, up to maxInFlight', async () => {
    const server = new ControlledServer({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 2, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const handle = server.getMessageHandler();
    await handle(message('a'));
    await handle(message('b'));
    expect(server.started).toEqual(['a', 'b']);
    expect(server.handlersInFlight).toBe(2);

    let thirdTaken = false;
    const third = handle(message('c')).then(() => (thirdTaken = true));
    await tick();
    expect(thirdTaken).toBe(false); // backpressure: kafkajs waits before fetching more
    server.finish('a');
    await third;
    expect(server.started).toEqual(['a', 'b', 'c']);
    server.finish('b');
    server.finish('c');
    await tick();
    expect(server.handlersInFlight).toBe(0);
  });

  it('logs a reply Kafka would not take instead of rejecting (Nest does not await it: the process would end)', async () => {
    const server = new ConcurrentServerKafka({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 2, { lingerMs: 0, maxMessages: 500, acks: 1 });
    // The producer after its retries ran out while the broker was away.
    (server as unknown as { producer: { send(): Promise<never> } }).producer = { send: () => Promise.reject(new Error('Connection error: connect ECONNREFUSED')) };
    const context = { getTopic: () => 't' } as unknown as Parameters<ConcurrentServerKafka['sendMessage']>[4];
    await expect(server.sendMessage({ id: 'c1', response: { ok: true } }, 'replies', '0', 'c1', context)).resolves.toEqual([]);
  });

  it('replies on the partition the caller named, with its other reply partitions beside it for the partitioner', async () => {
    const server = new ConcurrentServerKafka({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 2, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const sent: Array<{ topic: string; messages: Array<Record<string, unknown>> }> = [];
    (server as unknown as { producer: { send(r: (typeof sent)[0]): Promise<[]> } }).producer = { send: async (r) => (sent.push(r), []) };
    const request = (headers: Record<string, string>) =>
      ({
        topic: 'no.such.pattern',
        partition: 0,
        message: { value: null, headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])) },
      }) as unknown as EachMessagePayload;
    const reply = { [KafkaHeaders.CORRELATION_ID]: 'c1', [KafkaHeaders.REPLY_TOPIC]: 'sigil.gateway.replies', [KafkaHeaders.REPLY_PARTITION]: '1' };
    await server.handleMessage(request({ ...reply, [KafkaHeaderNames.replyPartitions]: '1,2' }));
    await server.handleMessage(request(reply));
    expect(sent.map((r) => [r.topic, r.messages[0]!['partition'], r.messages[0]!['replyPartitions']])).toEqual([
      ['sigil.gateway.replies', 1, [1, 2]],
      ['sigil.gateway.replies', 1, undefined],
    ]);
  });

  it("serves a request with its handler and replies Nest's wire format: JSON value, correlation id and disposed headers, the named partition", async () => {
    const server = new ConcurrentServerKafka({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 2, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const sent: Array<{ topic: string; messages: Array<{ value: string; partition?: number; headers: Record<string, unknown> }> }> = [];
    (server as unknown as { producer: { send(r: (typeof sent)[0]): Promise<[]> } }).producer = { send: async (r) => (sent.push(r), []) };
    const seen: unknown[] = [];
    server.addHandler('sigil.test.get', (request: unknown) => (seen.push(request), Promise.resolve({ id: 'con_1' })), false);
    const ctx = { tenant_id: 'ten_1', mode: 'live', request_id: 'req_1' };
    await server.handleMessage({
      topic: 'sigil.test.get',
      partition: 0,
      message: {
        value: Buffer.from(JSON.stringify({ ctx, payload: { params: { id: 'con_1' } } })),
        headers: {
          [KafkaHeaders.CORRELATION_ID]: Buffer.from('c7'),
          [KafkaHeaders.REPLY_TOPIC]: Buffer.from('sigil.gateway.replies'),
          [KafkaHeaders.REPLY_PARTITION]: Buffer.from('2'),
        },
      },
    } as unknown as EachMessagePayload);
    expect(seen).toEqual([{ ctx, payload: { params: { id: 'con_1' } } }]);
    expect(sent).toHaveLength(1);
    const [record] = sent;
    expect(record!.topic).toBe('sigil.gateway.replies');
    const [reply] = record!.messages;
    expect(JSON.parse(reply!.value)).toEqual({ data: { id: 'con_1' } });
    expect(reply!.partition).toBe(2);
    expect(String(reply!.headers[KafkaHeaders.CORRELATION_ID])).toBe('c7');
    expect(reply!.headers[KafkaHeaders.NEST_IS_DISPOSED]).toEqual(Buffer.alloc(1));
    expect(reply!.headers[KafkaHeaders.NEST_ERR]).toBeUndefined();
  });

  it("sends an idempotent write's reply while the ledger stores it, and counts the request done when both are", async () => {
    const server = new ConcurrentServerKafka({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 2, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const sent: unknown[] = [];
    (server as unknown as { producer: { send(r: unknown): Promise<[]> } }).producer = { send: async (r) => (sent.push(r), []) };
    let stored!: () => void;
    const complete = jest.fn(() => new Promise<void>((resolve) => (stored = resolve)));
    server.useIdempotencyLedger({ earlierOutcome: async () => undefined, complete } as unknown as IdempotencyLedger);
    server.addHandler('sigil.test.create', () => Promise.resolve({ id: 'con_1' }), false);
    const ctx = { tenant_id: 'ten_1', mode: 'live', request_id: 'req_1', idempotency: { key: 'k', fingerprint: 'f' } };
    let done = false;
    const handling = server
      .handleMessage({
        topic: 'sigil.test.create',
        partition: 0,
        message: {
          value: Buffer.from(JSON.stringify({ ctx, payload: {} })),
          headers: { [KafkaHeaders.CORRELATION_ID]: Buffer.from('c8'), [KafkaHeaders.REPLY_TOPIC]: Buffer.from('sigil.gateway.replies') },
        },
      } as unknown as EachMessagePayload)
      .then(() => (done = true));
    for (let i = 0; i < 5 && !sent.length; i++) await tick();
    expect(sent).toHaveLength(1); // replied while the ledger's write is still running
    expect(complete).toHaveBeenCalledTimes(1);
    expect(done).toBe(false);
    stored();
    await handling;
    expect(done).toBe(true);
  });

  it('lets in-flight handlers finish when closed', async () => {
    const server = new ControlledServer({ client: { brokers: ['127.0.0.1:1'] } }, 'test', 4, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const handle = server.getMessageHandler();
    await handle(message('x'));
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    server.finish('x');
    await closing;
    expect(closed).toBe(true);
  });
});
