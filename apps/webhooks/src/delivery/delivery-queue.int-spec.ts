/**
 * DeliveryQueue on a real Redis (this file's own queue): waking a parked job
 * puts it at the front of the wait list, so it is the next job a worker
 * takes however long the backlog (BullMQ's `promote` puts it behind the
 * backlog); a stale wake-up (the job waits already, or is gone) reports false
 * so the slot passes on.
 */
import { Worker } from 'bullmq';
import { WEBHOOK_DELIVERY_QUEUE, WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import { REDIS_URL } from '@sigil/testing';
import { bullConnection, DeliveryQueue, deliveryJobId } from './delivery-queue';

let queue: DeliveryQueue;

beforeAll(() => {
  queue = new DeliveryQueue(REDIS_URL, 3);
});

afterAll(async () => {
  await queue.queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
});

it('wakes a parked job to the front of the line, ahead of the backlog', async () => {
  await queue.enqueue(['msg_a', 'msg_b', 'msg_c'].map((id) => ({ delivery_id: id, generation: 0 })));
  const parked = deliveryJobId('msg_parked', 0);
  await queue.queue.add('deliver', { delivery_id: 'msg_parked', generation: 0 }, { jobId: parked, delay: 60_000 });
  expect(await queue.queue.getJobState(parked)).toBe('delayed');

  expect(await queue.promote(parked)).toBe(true);
  expect(await queue.queue.getJobState(parked)).toBe('waiting');

  // The order a worker takes them in.
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
  while (taken.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await worker.close();
  connection.disconnect();
  expect(taken).toEqual(['msg_parked', 'msg_a', 'msg_b', 'msg_c']);
});

it('reports a stale wake-up: a job already waiting, or gone', async () => {
  await queue.enqueue([{ delivery_id: 'msg_waiting', generation: 0 }]);
  expect(await queue.promote(deliveryJobId('msg_waiting', 0))).toBe(false);
  expect(await queue.promote(deliveryJobId('msg_never_queued', 0))).toBe(false);
});
