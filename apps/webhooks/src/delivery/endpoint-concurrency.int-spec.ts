/**
 * EndpointConcurrency on a real Redis: the cap holds, a released slot goes to
 * the oldest parked job (not to a job that arrives meanwhile), a reservation
 * nobody takes passes on or expires, and a job of the same process waiting
 * for a slot is handed one without parking (or parks when not served in time).
 */
import Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import { eventually, REDIS_URL, uniqueSuffix } from '@sigil/testing';
import { EndpointConcurrency } from './endpoint-concurrency';

describe('EndpointConcurrency (real Redis)', () => {
  let redis: Redis;
  const woken: string[] = [];
  let alive = new Set<string>();
  let slots: EndpointConcurrency;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(() => redis.quit());
  beforeEach(() => {
    woken.length = 0;
    alive = new Set();
    slots = new EndpointConcurrency(redis, 1, 10_000, async (jobId) => {
      woken.push(jobId);
      return alive.has(jobId);
    });
  });

  it('hands a released slot to the oldest parked job: a job arriving meanwhile parks behind it', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    expect(releaseA).toBeDefined();
    alive = new Set(['B', 'C']);
    expect(await slots.tryAcquire(endpoint, 'B')).toBeUndefined(); // parked
    await releaseA!();
    expect(woken).toEqual(['B']);
    // C comes before B runs again: the slot is B's, so C parks.
    expect(await slots.tryAcquire(endpoint, 'C')).toBeUndefined();
    const releaseB = await slots.tryAcquire(endpoint, 'B');
    expect(releaseB).toBeDefined();
    expect(await slots.parked(endpoint)).toEqual(['C']);
    await releaseB!();
    expect(woken).toEqual(['B', 'C']);
    const releaseC = await slots.tryAcquire(endpoint, 'C');
    expect(releaseC).toBeDefined();
    await releaseC!();
    // Nobody waits: the slot is free for anyone.
    const releaseD = await slots.tryAcquire(endpoint, 'D');
    expect(releaseD).toBeDefined();
    await releaseD!();
  });

  it('passes the slot of a stale parked entry to the next one, and frees it when the line is empty', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    expect(await slots.tryAcquire(endpoint, 'gone')).toBeUndefined();
    expect(await slots.tryAcquire(endpoint, 'B')).toBeUndefined();
    alive = new Set(['B']);
    await releaseA!();
    expect(woken).toEqual(['gone', 'B']);
    expect(await slots.tryAcquire(endpoint, 'X')).toBeUndefined(); // B holds the reservation
    const releaseB = await slots.tryAcquire(endpoint, 'B');
    expect(releaseB).toBeDefined();
    alive = new Set();
    await releaseB!(); // wakes X, which is gone: the line is empty, the slot is free
    expect(woken).toEqual(['gone', 'B', 'X']);
    const releaseY = await slots.tryAcquire(endpoint, 'Y');
    expect(releaseY).toBeDefined();
    await releaseY!();
  });

  it('lets a reservation whose job never comes expire', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const short = new EndpointConcurrency(redis, 1, 10_000, async () => true);
    const releaseA = await short.tryAcquire(endpoint, 'A');
    expect(await short.tryAcquire(endpoint, 'lost')).toBeUndefined();
    await releaseA!(); // reserved for 'lost', which never runs
    expect(await short.tryAcquire(endpoint)).toBeUndefined();
    // The reservation's score is its expiry: move it into the past instead of waiting RESERVE_MS.
    const key = `${WEBHOOK_QUEUE_PREFIX}:slots:{${endpoint}}`;
    await redis.zadd(key, Date.now() - 1, 'job:lost');
    const releaseB = await short.tryAcquire(endpoint);
    expect(releaseB).toBeDefined();
    await releaseB!();
  });

  it('passes a reserved slot its job will not use to the next in line at once (forgo)', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    alive = new Set(['B', 'C']);
    expect(await slots.tryAcquire(endpoint, 'B')).toBeUndefined();
    expect(await slots.tryAcquire(endpoint, 'C')).toBeUndefined();
    expect(await slots.parked(endpoint)).toEqual(['B', 'C']);
    await releaseA!(); // reserved for B
    await slots.forgo(endpoint, 'A'); // holds no reservation: nothing happens
    expect(woken).toEqual(['B']);
    await slots.forgo(endpoint, 'B'); // B's delivery was skipped: C gets the slot now
    expect(woken).toEqual(['B', 'C']);
    const releaseC = await slots.tryAcquire(endpoint, 'C');
    expect(releaseC).toBeDefined();
    await releaseC!();
  });

  describe('waiting in this process', () => {
    it('hands a slot released here to the oldest job waiting here: nobody parks, nothing is woken through the queue', async () => {
      const endpoint = `ep_${uniqueSuffix()}`;
      const local = new EndpointConcurrency(
        redis,
        1,
        10_000,
        async (jobId) => {
          woken.push(jobId);
          return true;
        },
        60_000,
      );
      const releaseA = await local.tryAcquire(endpoint, 'A');
      expect(releaseA).toBeDefined();
      const b = local.tryAcquire(endpoint, 'B');
      await eventually(() => local.waitingHere(endpoint) === 1);
      // The cap is 1 and one job waits here already: C parks.
      expect(await local.tryAcquire(endpoint, 'C')).toBeUndefined();
      expect(await local.parked(endpoint)).toEqual(['C']);
      await releaseA!();
      const releaseB = await b;
      expect(releaseB).toBeDefined();
      expect(woken).toEqual([]);
      expect(local.waitingHere(endpoint)).toBe(0);
      // Still one slot: a newcomer parks behind C.
      expect(await local.tryAcquire(endpoint, 'D')).toBeUndefined();
      await releaseB!(); // nobody waits here: the oldest parked job gets it
      expect(woken).toEqual(['C']);
      expect(await local.parked(endpoint)).toEqual(['D']);
    });

    it('parks a job not served in time, behind whoever parked meanwhile', async () => {
      const endpoint = `ep_${uniqueSuffix()}`;
      const local = new EndpointConcurrency(redis, 1, 10_000, async () => true, 100);
      const releaseA = await local.tryAcquire(endpoint, 'A');
      expect(await local.tryAcquire(endpoint, 'B')).toBeUndefined();
      expect(await local.parked(endpoint)).toEqual(['B']);
      expect(local.waitingHere(endpoint)).toBe(0);
      // Someone is parked: a newcomer parks at once, behind.
      expect(await local.tryAcquire(endpoint, 'C')).toBeUndefined();
      expect(await local.parked(endpoint)).toEqual(['B', 'C']);
      await releaseA!();
    });

    it('never waits without a job to park (a direct call polls instead)', async () => {
      const endpoint = `ep_${uniqueSuffix()}`;
      const local = new EndpointConcurrency(redis, 1, 10_000, async () => true, 60_000);
      const releaseA = await local.tryAcquire(endpoint, 'A');
      expect(await local.tryAcquire(endpoint)).toBeUndefined();
      expect(local.waitingHere(endpoint)).toBe(0);
      await releaseA!();
    });
  });
});
