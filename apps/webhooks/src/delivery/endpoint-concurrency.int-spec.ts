/**
 * EndpointConcurrency on a real Redis: the cap holds, a released slot goes to
 * the oldest parked job (not to a job that arrives meanwhile; oldest by when
 * it was queued, when that is known), a
 * reservation nobody takes passes on or expires, and a held slot's short lease
 * is renewed while it is held but lapses soon after its holder dies.
 */
import Redis from 'ioredis';
import { WEBHOOK_QUEUE_PREFIX } from '@sigil/contracts';
import { eventually, REDIS_URL, uniqueSuffix } from '@sigil/testing';
import { EndpointConcurrency, MAX_PARK_MS, PARK_MS } from './endpoint-concurrency';

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

  it('keeps each parked job in the line once, in its first place, and takes it out when it gets a slot', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    expect(await slots.tryAcquire(endpoint, 'B')).toBeUndefined();
    expect(await slots.tryAcquire(endpoint, 'C')).toBeUndefined();
    // B and C woke by themselves (their park timeout), found the endpoint full and parked again, twice.
    for (let i = 0; i < 2; i++) {
      expect(await slots.tryAcquire(endpoint, 'C')).toBeUndefined();
      expect(await slots.tryAcquire(endpoint, 'B')).toBeUndefined();
    }
    expect(await slots.parked(endpoint)).toEqual(['B', 'C']);
    alive = new Set(['B', 'C']);
    await releaseA!();
    expect(woken).toEqual(['B']);
    const releaseB = await slots.tryAcquire(endpoint, 'B');
    expect(releaseB).toBeDefined();
    expect(await slots.parked(endpoint)).toEqual(['C']);
    await releaseB!();
    expect(woken).toEqual(['B', 'C']);
    const releaseC = await slots.tryAcquire(endpoint, 'C');
    expect(releaseC).toBeDefined();
    expect(await slots.parked(endpoint)).toEqual([]);
    await releaseC!();
    expect(woken).toEqual(['B', 'C']); // nobody left to wake: the slot is free
    const releaseD = await slots.tryAcquire(endpoint, 'D');
    expect(releaseD).toBeDefined();
    await releaseD!();
  });

  it('keeps the line in arrival order for jobs parking within the same millisecond (ids that sort the other way)', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    const jobs = Array.from({ length: 30 }, (_, i) => `job-${String.fromCharCode(122 - i)}`); // job-z, job-y, …
    await Promise.all(jobs.map((job) => slots.tryAcquire(endpoint, job))); // sent in this order on one connection
    expect(await slots.parked(endpoint)).toEqual(jobs);
    await releaseA!();
  });

  it('places a job in the line by when it was queued: one that waited elsewhere first (its contact) does not start again at the back', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A', 1, 1_000);
    // C and D, queued at 3 000 and 4 000, find the endpoint full and park.
    expect(await slots.tryAcquire(endpoint, 'C', 1, 3_000)).toBeUndefined();
    expect(await slots.tryAcquire(endpoint, 'D', 1, 4_000)).toBeUndefined();
    // B was queued at 2 000 but waited behind its contact's earlier delivery (parked, no slot asked for); now its
    // contact's turn has come and it asks for a slot: it goes before C and D, queued after it.
    expect(await slots.tryAcquire(endpoint, 'B', 1, 2_000)).toBeUndefined();
    expect(await slots.parked(endpoint)).toEqual(['B', 'C', 'D']);
    // Parking again keeps that place.
    expect(await slots.tryAcquire(endpoint, 'B', 1, 2_000)).toBeUndefined();
    expect(await slots.parked(endpoint)).toEqual(['B', 'C', 'D']);
    expect(await slots.parkedWaitMs(endpoint, 'B')).toBe(PARK_MS);
    alive = new Set(['B', 'C', 'D']);
    await releaseA!();
    expect(woken).toEqual(['B']);
    expect(await slots.tryAcquire(endpoint, 'C', 1, 3_000)).toBeUndefined(); // the slot is B's
    const releaseB = await slots.tryAcquire(endpoint, 'B', 1, 2_000);
    expect(releaseB).toBeDefined();
    await releaseB!();
    expect(woken).toEqual(['B', 'C']);
    const releaseC = await slots.tryAcquire(endpoint, 'C', 1, 3_000);
    expect(releaseC).toBeDefined();
    await releaseC!();
    expect(woken).toEqual(['B', 'C', 'D']);
    const releaseD = await slots.tryAcquire(endpoint, 'D', 1, 4_000);
    expect(releaseD).toBeDefined();
    await releaseD!();
  });

  it('lets a parked job sleep by itself PARK_MS per cap jobs ahead of it and its own turn, at most MAX_PARK_MS', async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const releaseA = await slots.tryAcquire(endpoint, 'A');
    for (const job of ['B', 'C', 'D']) expect(await slots.tryAcquire(endpoint, job)).toBeUndefined();
    expect(await slots.parkedWaitMs(endpoint, 'B')).toBe(PARK_MS);
    expect(await slots.parkedWaitMs(endpoint, 'C')).toBe(2 * PARK_MS);
    expect(await slots.parkedWaitMs(endpoint, 'D')).toBe(3 * PARK_MS);
    expect(await slots.parkedWaitMs(endpoint, 'D', 2)).toBe(2 * PARK_MS); // an endpoint's max_in_flight of 2
    expect(await slots.parkedWaitMs(endpoint, 'not-parked')).toBe(PARK_MS);
    for (let i = 0; i < 30; i++) await slots.tryAcquire(endpoint, `deep-${i}`);
    expect(await slots.parkedWaitMs(endpoint, 'deep-29')).toBe(MAX_PARK_MS);
    await releaseA!();
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

  it("renews a held slot past its lease, and frees a dead holder's slot once its lease lapses", async () => {
    const endpoint = `ep_${uniqueSuffix()}`;
    const key = `${WEBHOOK_QUEUE_PREFIX}:slots:{${endpoint}}`;
    // Renewed every 667 ms: only an event loop stalled for over a second (a very loaded machine) would let it lapse.
    const leaseMs = 2000;
    const holder = new EndpointConcurrency(redis, 1, leaseMs);
    const other = new EndpointConcurrency(redis, 1, leaseMs);
    const expiry = async () => Number((await redis.zrange(key, 0, -1, 'WITHSCORES'))[1]);
    const release = await holder.tryAcquire(endpoint);
    expect(release).toBeDefined();
    const first = await expiry();
    // Held for more than two leases: renewed each time, so the slot is still the holder's.
    await eventually(expiry, (at) => at > first + 2 * leaseMs);
    expect(await other.tryAcquire(endpoint)).toBeUndefined();
    await release!();
    const releaseOther = await other.tryAcquire(endpoint);
    expect(releaseOther).toBeDefined();
    // The holder dies (its renewals stop) while it holds the slot: the slot frees once the lease lapses.
    other.stopRenewals();
    expect(await holder.tryAcquire(endpoint)).toBeUndefined();
    const afterCrash = await eventually(
      () => holder.tryAcquire(endpoint),
      (r) => r !== undefined,
      15_000,
    );
    await afterCrash!();
  });
});
