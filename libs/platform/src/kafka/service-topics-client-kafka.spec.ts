/**
 * ServiceTopicsClientKafka's reply consumer: offsets of the replies it read
 * are committed on an interval (REPLY_COMMIT_INTERVAL_MS), in one request,
 * not one commit per reply — and what is left is committed when it closes.
 */
import type { EachMessagePayload, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { REPLY_COMMIT_INTERVAL_MS, ServiceTopicsClientKafka } from './service-topics-client-kafka';

function fakeConsumer() {
  const commits: TopicPartitionOffsetAndMetadata[][] = [];
  let eachMessage: ((payload: EachMessagePayload) => Promise<void>) | undefined;
  const consumer = {
    subscribe: jest.fn(async () => undefined),
    run: jest.fn(async (config: { eachMessage: (payload: EachMessagePayload) => Promise<void> }) => {
      eachMessage = config.eachMessage;
    }),
    commitOffsets: jest.fn(async (offsets: TopicPartitionOffsetAndMetadata[]) => {
      commits.push(offsets);
    }),
  };
  return { consumer, commits, deliver: (payload: EachMessagePayload) => eachMessage!(payload) };
}

function reply(topic: string, partition: number, offset: number): EachMessagePayload {
  return { topic, partition, message: { offset: String(offset), headers: {}, value: null } } as unknown as EachMessagePayload;
}

describe('ServiceTopicsClientKafka reply offsets', () => {
  afterEach(() => jest.useRealTimers());

  it('commits the replies read in an interval in one request, not one per reply, and the rest on close', async () => {
    jest.useFakeTimers();
    const client = new ServiceTopicsClientKafka({ client: { brokers: ['127.0.0.1:1'] } }, 'caller', { lingerMs: 0 } as never);
    const { consumer, commits, deliver } = fakeConsumer();
    (client as unknown as { _consumer: unknown })._consumer = consumer;
    jest.spyOn(client as unknown as { createResponseCallback: () => unknown }, 'createResponseCallback').mockReturnValue(async () => undefined);
    await client.bindTopics();
    const topic = 'replies';

    for (let offset = 0; offset < 20; offset++) await deliver(reply(topic, offset % 2, offset));
    await jest.advanceTimersByTimeAsync(0);
    // An eager committer would have sent a commit by now.
    expect(commits).toHaveLength(0);

    await jest.advanceTimersByTimeAsync(REPLY_COMMIT_INTERVAL_MS);
    expect(commits).toEqual([
      [
        { topic, partition: 0, offset: '19' },
        { topic, partition: 1, offset: '20' },
      ],
    ]);

    await deliver(reply(topic, 0, 20));
    jest.spyOn(Object.getPrototypeOf(ServiceTopicsClientKafka.prototype), 'close').mockResolvedValue(undefined);
    await client.close();
    expect(commits).toHaveLength(2);
    expect(commits[1]).toEqual([{ topic, partition: 0, offset: '21' }]);
  });
});
