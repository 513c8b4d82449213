/**
 * The lean request/reply path of ServiceTopicsClientKafka (`request()`), on a
 * stand-in producer and consumer: the message it produces is the one Nest's
 * `send` produced (topic, value, headers), a reply settles its own call only,
 * and a timeout, a failed produce or a server error each end the call once,
 * leaving no call waiting. The same path over real Kafka: rpc.int-spec.ts.
 */
import { Logger } from '@nestjs/common';
import { KafkaHeaders } from '@nestjs/microservices';
import type { EachMessagePayload, KafkaMessage, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { KafkaHeaderNames, qualify, replyTopicOf, requestTopic } from '@sigil/contracts';
import { eventually } from '@sigil/testing';
import { kafkaRpcClientOptions } from './kafka.config';
import { withProduceBatching } from './produce-batcher';
import { LATE_REPLY_MEMORY_MS, ReplyTimeout, ServiceTopicsClientKafka } from './service-topics-client-kafka';

const PATTERN = qualify('contacts.get');
const REPLY_TOPIC = replyTopicOf('gateway');

type EachMessage = (payload: EachMessagePayload) => Promise<void>;

async function setup(produce: 'ok' | 'fail' = 'ok') {
  const client = new ServiceTopicsClientKafka(kafkaRpcClientOptions('gateway', { brokers: ['127.0.0.1:1'], clientId: 'spec', partitions: 3 }), 'gateway', {
    lingerMs: 0,
    maxMessages: 500,
    acks: 1,
  });
  const batches: ProducerBatch[] = [];
  const producer = withProduceBatching(
    {
      sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        batches.push(batch);
        if (produce === 'fail') throw new Error('broker gone');
        return [];
      },
      disconnect: async () => undefined,
    } as unknown as Producer,
    { lingerMs: 0, maxMessages: 500, acks: 1 },
  );
  let eachMessage: EachMessage | undefined;
  const commits: unknown[] = [];
  const consumer = {
    subscribe: async () => undefined,
    run: async (config: { eachMessage: EachMessage }) => void (eachMessage = config.eachMessage),
    commitOffsets: async (offsets: unknown) => void commits.push(offsets),
  };
  const internals = client as unknown as { _producer: Producer; _consumer: unknown; setConsumerAssignments(data: unknown): void };
  internals._producer = producer;
  internals._consumer = consumer;
  internals.setConsumerAssignments({ payload: { memberAssignment: { [REPLY_TOPIC]: [4, 1] } } });
  await client.bindTopics();
  let offset = 0;
  const reply = (headers: Record<string, string | Buffer>, value: string | null) =>
    eachMessage!({
      topic: REPLY_TOPIC,
      partition: 1,
      message: { headers, value: value === null ? null : Buffer.from(value), offset: String(offset++), timestamp: String(Date.now()) } as unknown as KafkaMessage,
      heartbeat: async () => undefined,
      pause: () => () => undefined,
    });
  /** The messages produced so far (each batch leaves after the current I/O phase). */
  const produced = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return batches.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, ...m }))));
  };
  return { client, reply, produced, commits };
}

const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe('ServiceTopicsClientKafka.request', () => {
  it("produces Nest's request message on the service's request topic, and resolves with the decoded reply", async () => {
    const { client, reply, produced } = await setup();
    const call = client.request(PATTERN, '{"ctx":{},"payload":{}}', { 'x-request-id': 'req_1' }, 5000);
    const [message] = await produced();
    expect(message).toEqual({
      topic: requestTopic('contacts'),
      value: '{"ctx":{},"payload":{}}',
      headers: {
        'x-request-id': 'req_1',
        [KafkaHeaders.CORRELATION_ID]: expect.any(String),
        [KafkaHeaders.REPLY_TOPIC]: REPLY_TOPIC,
        [KafkaHeaders.REPLY_PARTITION]: '1',
        [KafkaHeaderNames.rpcPattern]: PATTERN,
        [KafkaHeaderNames.replyPartitions]: '1,4',
      },
    });
    await reply(
      { [KafkaHeaders.CORRELATION_ID]: Buffer.from(message!.headers![KafkaHeaders.CORRELATION_ID] as string), [KafkaHeaders.NEST_IS_DISPOSED]: Buffer.alloc(1) },
      '{"data":{"id":"con_1"}}',
    );
    await expect(call).resolves.toEqual({ data: { id: 'con_1' } });
    expect(client.waitingReplies).toBe(0);
  });

  it("decodes a reply as Nest's parser: JSON when it is JSON, text otherwise, nothing as null", async () => {
    const { client, reply, produced } = await setup();
    const calls = [0, 1, 2, 3].map(() => client.request(PATTERN, '{}', {}, 5000));
    const ids = (await produced()).map((m) => m.headers![KafkaHeaders.CORRELATION_ID] as string);
    const values = ['[1,2]', '{not json', 'plain text', null];
    for (const [i, value] of values.entries()) await reply({ [KafkaHeaders.CORRELATION_ID]: ids[i]! }, value);
    await expect(Promise.all(calls)).resolves.toEqual([[1, 2], '{not json', 'plain text', null]);
  });

  it('gives each concurrent call its own reply, whatever the order replies come in', async () => {
    const { client, reply, produced } = await setup();
    const calls = [1, 2, 3].map((i) => client.request(PATTERN, `{"n":${i}}`, {}, 5000));
    const messages = await produced();
    const ids = messages.map((m) => m.headers![KafkaHeaders.CORRELATION_ID] as string);
    expect(new Set(ids).size).toBe(3);
    for (const i of [2, 0, 1]) await reply({ [KafkaHeaders.CORRELATION_ID]: ids[i]! }, `{"data":${i + 1}}`);
    await expect(Promise.all(calls)).resolves.toEqual([{ data: 1 }, { data: 2 }, { data: 3 }]);
  });

  it("rejects with the server's error (no handler for the pattern), as Nest's send did", async () => {
    const { client, reply, produced } = await setup();
    const call = settled(client.request(PATTERN, '{}', {}, 5000));
    const [message] = await produced();
    await reply(
      {
        [KafkaHeaders.CORRELATION_ID]: message!.headers![KafkaHeaders.CORRELATION_ID] as string,
        [KafkaHeaders.NEST_ERR]: Buffer.from('There is no matching message handler'),
      },
      null,
    );
    expect(await call).toEqual({ error: 'There is no matching message handler' });
    expect(client.waitingReplies).toBe(0);
  });

  it('rejects with ReplyTimeout when no reply comes in time, and a late reply is not taken for another call', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { client, reply, produced } = await setup();
      const late = settled(client.request(PATTERN, '{}', {}, 1000));
      const [message] = await produced();
      jest.advanceTimersByTime(999);
      expect(client.waitingReplies).toBe(1);
      jest.advanceTimersByTime(1);
      expect(await late).toEqual({ error: expect.any(ReplyTimeout) });
      expect(client.waitingReplies).toBe(0);
      const next = client.request(PATTERN, '{}', {}, 1000);
      // The late reply: no call waits for its correlation id any more; it is logged with how late it came, once.
      jest.advanceTimersByTime(250);
      const lateReply = () => reply({ [KafkaHeaders.CORRELATION_ID]: message!.headers![KafkaHeaders.CORRELATION_ID] as string }, '{"data":"late"}');
      await lateReply();
      expect(client.waitingReplies).toBe(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith({ msg: 'reply arrived after its caller gave up', pattern: PATTERN, partition: 1, late_ms: 250, produced_ms_after_timeout: 250 });
      await lateReply();
      expect(warn).toHaveBeenCalledTimes(1);
      const [, second] = await produced();
      await reply({ [KafkaHeaders.CORRELATION_ID]: second!.headers![KafkaHeaders.CORRELATION_ID] as string }, '{"data":"next"}');
      await expect(next).resolves.toEqual({ data: 'next' });
    } finally {
      jest.useRealTimers();
      warn.mockRestore();
    }
  });

  it('remembers timed-out calls for a bounded time only', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { client, reply, produced } = await setup();
      const gone = settled(client.request(PATTERN, '{}', {}, 1000));
      const [message] = await produced();
      jest.advanceTimersByTime(1000);
      await gone;
      // Long after: the next timeout forgets it, and its reply is then no more than any stray reply.
      jest.advanceTimersByTime(LATE_REPLY_MEMORY_MS);
      const next = settled(client.request(PATTERN, '{}', {}, 1000));
      jest.advanceTimersByTime(1000);
      await next;
      await reply({ [KafkaHeaders.CORRELATION_ID]: message!.headers![KafkaHeaders.CORRELATION_ID] as string }, '{"data":"very late"}');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
      warn.mockRestore();
    }
  });

  it('rejects every call of a failed produce with its error and leaves none waiting', async () => {
    const { client } = await setup('fail');
    const calls = [client.request(PATTERN, '{}', {}, 5000), client.request(PATTERN, '{}', {}, 5000)].map(settled);
    expect(await Promise.all(calls)).toEqual([{ error: new Error('broker gone') }, { error: new Error('broker gone') }]);
    expect(client.waitingReplies).toBe(0);
  });

  it('commits the offset of every reply it reads, settled here or not', async () => {
    const { reply, commits } = await setup();
    await reply({ [KafkaHeaders.CORRELATION_ID]: 'nobody-waits' }, '{"data":1}');
    await reply({}, '{"data":2}');
    // Committed on the reply committer's interval (REPLY_COMMIT_INTERVAL_MS).
    const committed = await eventually(
      () => commits.flat() as { offset: string }[],
      (c) => c.some((o) => o.offset === '2'),
    );
    expect(committed).toContainEqual({ topic: REPLY_TOPIC, partition: 1, offset: '2' });
  });
});
