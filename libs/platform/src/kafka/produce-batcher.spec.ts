/**
 * The request/reply produce batcher: sends made within a tick leave as one
 * `sendBatch`, each caller learns its own outcome, a full batch leaves at once,
 * and no batch grows past MAX_BATCH_VALUE_LENGTH of values.
 */
import type { ProducerBatch, RecordMetadata } from 'kafkajs';
import { MAX_BATCH_VALUE_LENGTH, ProduceBatcher } from './produce-batcher';

const meta = (topicName: string): RecordMetadata => ({ topicName, partition: 0, errorCode: 0 });

function producer(outcome: 'ok' | 'fail' = 'ok') {
  const calls: ProducerBatch[] = [];
  return {
    calls,
    sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      calls.push(batch);
      if (outcome === 'fail') throw new Error('broker gone');
      return (batch.topicMessages ?? []).map((t) => meta(t.topic));
    },
  };
}

describe('ProduceBatcher', () => {
  it('sends what is produced within a tick as one batch, grouped by topic, and answers each caller with its topic', async () => {
    const p = producer();
    const batcher = new ProduceBatcher(p, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const results = await Promise.all([
      batcher.send({ topic: 'a', messages: [{ value: '1' }] }),
      batcher.send({ topic: 'b', messages: [{ value: '2' }] }),
      batcher.send({ topic: 'a', messages: [{ value: '3' }] }),
    ]);
    expect(p.calls).toEqual([
      {
        acks: 1,
        topicMessages: [
          { topic: 'a', messages: [{ value: '1' }, { value: '3' }] },
          { topic: 'b', messages: [{ value: '2' }] },
        ],
      },
    ]);
    expect(results).toEqual([[meta('a')], [meta('b')], [meta('a')]]);
  });

  it('sends a full batch at once, and the rest on the next tick', async () => {
    const p = producer();
    const batcher = new ProduceBatcher(p, { lingerMs: 0, maxMessages: 2, acks: 1 });
    const sent = [1, 2, 3].map((i) => batcher.send({ topic: 't', messages: [{ value: String(i) }] }));
    expect(p.calls).toHaveLength(1);
    await Promise.all(sent);
    expect(p.calls.map((c) => c.topicMessages![0]!.messages.length)).toEqual([2, 1]);
  });

  it('never lets a batch pass MAX_BATCH_VALUE_LENGTH of values: a large record travels alone, what was queued before it first', async () => {
    const p = producer();
    const batcher = new ProduceBatcher(p, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const big = 'x'.repeat(MAX_BATCH_VALUE_LENGTH / 2 + 1);
    const sent = [
      batcher.send({ topic: 'r', messages: [{ value: 'small' }] }),
      batcher.send({ topic: 'r', messages: [{ value: big }] }),
      batcher.send({ topic: 'r', messages: [{ value: big }] }),
      batcher.send({ topic: 'r', messages: [{ value: 'x'.repeat(MAX_BATCH_VALUE_LENGTH) }] }),
      batcher.send({ topic: 'r', messages: [{ value: 'after' }] }),
    ];
    await Promise.all(sent);
    expect(p.calls.map((c) => c.topicMessages![0]!.messages.map((m) => (m.value as string).length))).toEqual([
      [5, MAX_BATCH_VALUE_LENGTH / 2 + 1],
      [MAX_BATCH_VALUE_LENGTH / 2 + 1],
      [MAX_BATCH_VALUE_LENGTH],
      [5],
    ]);
  });

  it('rejects every caller of a failed batch', async () => {
    const batcher = new ProduceBatcher(producer('fail'), { lingerMs: 0, maxMessages: 500, acks: 1 });
    const sent = [batcher.send({ topic: 't', messages: [{ value: '1' }] }), batcher.send({ topic: 't', messages: [{ value: '2' }] })];
    await expect(Promise.allSettled(sent)).resolves.toEqual([
      { status: 'rejected', reason: new Error('broker gone') },
      { status: 'rejected', reason: new Error('broker gone') },
    ]);
  });

  it('batches posted messages with sent ones, and tells a poster of its failed batch with its token only', async () => {
    const ok = producer();
    const batcher = new ProduceBatcher(ok, { lingerMs: 0, maxMessages: 500, acks: 1 });
    const failed: unknown[] = [];
    batcher.post('t', [{ value: '1' }], (err, token) => failed.push([err, token]), 'a');
    await batcher.send({ topic: 't', messages: [{ value: '2' }] });
    expect(ok.calls).toEqual([{ acks: 1, topicMessages: [{ topic: 't', messages: [{ value: '1' }, { value: '2' }] }] }]);
    expect(failed).toEqual([]);

    const gone = new ProduceBatcher(producer('fail'), { lingerMs: 0, maxMessages: 500, acks: 1 });
    const sent = gone.send({ topic: 't', messages: [{ value: '3' }] });
    gone.post('t', [{ value: '4' }], (err, token) => failed.push([err, token]), 'b');
    gone.post('t', [{ value: '5' }], (err, token) => failed.push([err, token]), 'c');
    await expect(sent).rejects.toThrow('broker gone');
    expect(failed).toEqual([
      [new Error('broker gone'), 'b'],
      [new Error('broker gone'), 'c'],
    ]);
  });

  it('waits the linger when one is set, and flush() sends at once', async () => {
    jest.useFakeTimers();
    try {
      const p = producer();
      const batcher = new ProduceBatcher(p, { lingerMs: 5, maxMessages: 500, acks: 1 });
      void batcher.send({ topic: 't', messages: [{ value: '1' }] });
      jest.advanceTimersByTime(4);
      expect(p.calls).toHaveLength(0);
      jest.advanceTimersByTime(1);
      expect(p.calls).toHaveLength(1);
      void batcher.send({ topic: 't', messages: [{ value: '2' }] });
      batcher.flush();
      expect(p.calls).toHaveLength(2);
      jest.advanceTimersByTime(10);
      expect(p.calls).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
