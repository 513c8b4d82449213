/**
 * EndpointConcurrency on a real Redis: the cap holds, a released slot goes to
 * the oldest parked job (not to a job that arrives meanwhile), and a
 * reservation nobody takes passes on or expires.
 */
import Redis from 'ioredis';
import { REDIS_URL, uniqueSuffix } from '@sigil/testing';
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
    const key = `${(await redis.keys(`*slots:{${endpoint}}`))[0]}`;
    await redis.zadd(key, Date.now() - 1, 'job:lost');
    const releaseB = await short.tryAcquire(endpoint);
    expect(releaseB).toBeDefined();
    await releaseB!();
  });
});
