import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { consumersCheck } from '../health/health.checks';
import { downConsumers, resetConsumerHealth, superviseConsumer, unwatchConsumer, watchConsumer } from './consumer-health';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };

function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = { events: EVENTS, on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener) } as unknown as Consumer;
  return {
    consumer,
    join: () => emitter.emit(EVENTS.GROUP_JOIN, { payload: {} }),
    crash: (restart: boolean) => emitter.emit(EVENTS.CRASH, { payload: { error: new Error('Failed to find group coordinator'), restart } }),
  };
}

describe('consumer health', () => {
  afterEach(() => resetConsumerHealth());

  it('tolerates a crash that kafkajs restarts and rejoins from', async () => {
    const c = fakeConsumer();
    watchConsumer('contacts.rpc-server', c.consumer);
    c.join();
    c.crash(true);
    expect(downConsumers(Date.now() + 10_000)).toEqual({});
    c.join();
    expect(downConsumers(Date.now() + 60_000)).toEqual({});
    await expect(consumersCheck().check()).resolves.toBeUndefined();
  });

  it('reports a consumer that crashed and has not rejoined within the grace period', async () => {
    const c = fakeConsumer();
    watchConsumer('segments.read-model', c.consumer);
    c.crash(true);
    c.crash(true); // crash-looping: the first crash's time counts
    expect(downConsumers(Date.now() + 31_000)).toEqual({ 'segments.read-model': expect.stringContaining('has not rejoined') });
  });

  it('reports a consumer stopped for good at once, and forgets one stopped on purpose', async () => {
    const c = fakeConsumer();
    watchConsumer('gateway.replies-client', c.consumer);
    c.crash(false);
    expect(downConsumers()).toEqual({ 'gateway.replies-client': expect.stringContaining('Failed to find group coordinator') });
    await expect(consumersCheck().check()).rejects.toThrow('gateway.replies-client');
    unwatchConsumer('gateway.replies-client');
    expect(downConsumers()).toEqual({});
  });

  describe('supervision', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('resumes a consumer that kafkajs gave up on, retrying with backoff until it works', async () => {
      const c = fakeConsumer();
      const resume = jest.fn().mockRejectedValueOnce(new Error('broker still down')).mockResolvedValue(undefined);
      superviseConsumer('contacts.replies-client', c.consumer, resume);
      c.crash(true); // kafkajs restarts this one itself
      await jest.advanceTimersByTimeAsync(60_000);
      expect(resume).not.toHaveBeenCalled();

      c.crash(false);
      await jest.advanceTimersByTimeAsync(600);
      expect(resume).toHaveBeenCalledTimes(1); // failed: tried again after a longer wait
      await jest.advanceTimersByTimeAsync(1100);
      expect(resume).toHaveBeenCalledTimes(2);
      expect(downConsumers()).toEqual({ 'contacts.replies-client': expect.stringContaining('stopped after a crash') });
      c.join(); // the resumed consumer rejoined its group
      expect(downConsumers()).toEqual({});
    });

    it('does not resume a consumer stopped on purpose', async () => {
      const c = fakeConsumer();
      const resume = jest.fn().mockResolvedValue(undefined);
      superviseConsumer('webhooks.fanout', c.consumer, resume);
      unwatchConsumer('webhooks.fanout');
      c.crash(false);
      await jest.advanceTimersByTimeAsync(60_000);
      expect(resume).not.toHaveBeenCalled();
    });
  });
});
