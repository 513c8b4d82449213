/**
 * DeliveryQueue on a real Redis (this file's own queue): waking a parked job
 * puts it at the front of the wait list, so it is the next job a worker
 * takes however long the backlog (BullMQ's `promote` puts it behind the
 * backlog); a stale wake-up (the job waits already, or is gone) reports false
 * so the slot passes on; a delivery a person waits for (test, manual retry)
 * is added at the front on a connection of its own; completed jobs are
 * trimmed to the newest few; the reconciler's check of which deliveries
 * lost their job costs O(1) lookups per job, whatever the backlog.
 */
import { Worker } from 'bullmq';
import { WEBHOOK_DELIVERY_QUEUE, WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import type { Command } from 'ioredis';
import { eventually, REDIS_URL } from '@sigil/testing';
import { bullConnection, DeliveryQueue, deliveryJobId, KEEP_COMPLETED_JOBS } from './delivery-queue';

let queue: DeliveryQueue;

beforeAll(() => {
  queue = new DeliveryQueue(REDIS_URL, 3);
});

afterAll(async () => {
  await queue.queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
});

/** The deliveries a worker of concurrency 1 takes, in its order, until it has taken `n` (or 10 s passed). */
async function takenInOrder(n: number): Promise<string[]> {
  const taken: string[] = [];
  const connection = bullConnection(REDIS_URL, 'test-worker');
  const worker = new Worker(
    WEBHOOK_DELIVERY_QUEUE,
    async (job) => {
      taken.push(job.data.delivery_id);
    },
    { connection, prefix: WEBHOOK_QUEUE_PREFIX, concurrency: 1, autorun: false },
  );
  void worker.run();
  const deadline = Date.now() + 10_000;
  while (taken.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await worker.close();
  connection.disconnect();
  return taken;
}

it('wakes a parked job to the front of the line, ahead of the backlog', async () => {
  await queue.enqueue(['msg_a', 'msg_b', 'msg_c'].map((id) => ({ delivery_id: id, generation: 0 })));
  const parked = deliveryJobId('msg_parked', 0);
  await queue.queue.add('deliver', { delivery_id: 'msg_parked', generation: 0 }, { jobId: parked, delay: 60_000 });
  expect(await queue.queue.getJobState(parked)).toBe('delayed');

  expect(await queue.promote(parked)).toBe(true);
  expect(await queue.queue.getJobState(parked)).toBe('waiting');

  expect(await takenInOrder(4)).toEqual(['msg_parked', 'msg_a', 'msg_b', 'msg_c']);
});

it('adds a delivery a person waits for at the front of the line, on its own connection', async () => {
  await queue.queue.drain(true);
  await queue.enqueue(['msg_f1', 'msg_f2', 'msg_f3'].map((id) => ({ delivery_id: id, generation: 0 })));
  // The shared connection is busy (a blocking command stands in for a fan-out's thousands of adds queued on
  // it): an add waiting behind it would not resolve before it returns.
  const shared = (queue as unknown as { connection: import('ioredis').Redis }).connection;
  const blockKey = `${WEBHOOK_QUEUE_PREFIX}:test-block:${Date.now()}`;
  let sharedFree = false;
  const blocked = shared.blpop(blockKey, 10).then(() => (sharedFree = true));
  const stuckAdd = queue.enqueue([{ delivery_id: 'msg_f4', generation: 0 }]);
  await queue.enqueueNow({ delivery_id: 'msg_now', generation: 0 });
  expect(sharedFree).toBe(false);
  const releaser = bullConnection(REDIS_URL, 'test-release');
  await releaser.lpush(blockKey, 'go');
  await Promise.all([blocked, stuckAdd]);
  releaser.disconnect();

  expect(await takenInOrder(5)).toEqual(['msg_now', 'msg_f1', 'msg_f2', 'msg_f3', 'msg_f4']);
});

it('reports a stale wake-up: a job already waiting, or gone', async () => {
  await queue.enqueue([{ delivery_id: 'msg_waiting', generation: 0 }]);
  expect(await queue.promote(deliveryJobId('msg_waiting', 0))).toBe(false);
  expect(await queue.promote(deliveryJobId('msg_never_queued', 0))).toBe(false);
});

it('keeps only the newest completed jobs (KEEP_COMPLETED_JOBS, here 3): the rest leave Redis', async () => {
  expect(KEEP_COMPLETED_JOBS).toBeLessThanOrEqual(1000);
  // This file's queue, without the jobs the tests above left waiting.
  await queue.queue.drain(true);
  await queue.queue.clean(0, 0, 'completed');
  const keeping = new DeliveryQueue(REDIS_URL, 3, 3);
  const ids = ['msg_k1', 'msg_k2', 'msg_k3', 'msg_k4', 'msg_k5', 'msg_k6'];
  await keeping.enqueue(ids.map((id) => ({ delivery_id: id, generation: 0 })));
  const done: string[] = [];
  const connection = bullConnection(REDIS_URL, 'test-worker');
  const worker = new Worker(
    WEBHOOK_DELIVERY_QUEUE,
    async (job) => {
      done.push(job.data.delivery_id);
    },
    { connection, prefix: WEBHOOK_QUEUE_PREFIX, concurrency: 1 },
  );
  try {
    await eventually(
      () => queue.queue.getJobCounts('completed', 'waiting', 'active'),
      (c) => done.length === ids.length && c.waiting === 0 && c.active === 0,
    );
  } finally {
    await worker.close();
    connection.disconnect();
    await keeping.close();
  }
  const kept = (await queue.queue.getCompleted()).map((j) => j.id).sort();
  expect(kept).toEqual(['msg_k4', 'msg_k5', 'msg_k6'].map((id) => deliveryJobId(id, 0)));
  // A trimmed job's id is free: queuing it again makes a new job (the attempt then finds its delivery settled).
  expect(await queue.queue.getJob(deliveryJobId('msg_k1', 0))).toBeUndefined();
});

it('finds the deliveries whose job is gone or failed, with O(1) lookups only (no scan of the waiting backlog)', async () => {
  await queue.queue.drain(true);
  // A failed job first, alone in the queue, so the worker takes nothing else.
  const failed = { delivery_id: 'msg_failed', generation: 1 };
  const failedId = deliveryJobId(failed.delivery_id, failed.generation);
  await queue.queue.add('deliver', failed, { jobId: failedId, attempts: 1 });
  const connection = bullConnection(REDIS_URL, 'test-worker');
  const worker = new Worker(
    WEBHOOK_DELIVERY_QUEUE,
    async () => {
      throw new Error('receiver down');
    },
    { connection, prefix: WEBHOOK_QUEUE_PREFIX, concurrency: 1, autorun: false },
  );
  const gotFailed = new Promise<void>((resolve) => worker.on('failed', (job) => job?.id === failedId && resolve()));
  void worker.run();
  await gotFailed;
  await worker.close();
  connection.disconnect();
  expect(await queue.queue.getJobState(failedId)).toBe('failed');

  const waiting = ['msg_w1', 'msg_w2', 'msg_w3'].map((id) => ({ delivery_id: id, generation: 0 }));
  await queue.enqueue(waiting);
  const delayed = { delivery_id: 'msg_delayed', generation: 0 };
  await queue.queue.add('deliver', delayed, { jobId: deliveryJobId(delayed.delivery_id, 0), delay: 60_000 });
  const gone = { delivery_id: 'msg_never_queued', generation: 0 };

  // What the check sends to Redis. BullMQ's getJobState runs a script per job (evalsha) that finds a waiting job
  // with LPOS over the whole wait list, O(backlog): 10.7 ms a call with 2.7 M waiting.
  const shared = (queue as unknown as { connection: import('ioredis').Redis }).connection;
  const send = shared.sendCommand.bind(shared);
  const sent = new Set<string>();
  const spy = jest.spyOn(shared, 'sendCommand').mockImplementation((command: Command, ...rest: unknown[]) => {
    sent.add(command.name.toLowerCase());
    return send(command, ...(rest as []));
  });
  try {
    expect(await queue.withoutJob([...waiting, delayed, gone])).toEqual([gone]);
  } finally {
    spy.mockRestore();
  }
  expect([...sent].sort()).toEqual(['exists', 'zscore']);

  // A failed job counts as gone, and is removed so that the reconciler can add its delivery again.
  expect(await queue.withoutJob([failed, ...waiting])).toEqual([failed]);
  expect(await queue.queue.getJobState(failedId)).toBe('unknown');
});
