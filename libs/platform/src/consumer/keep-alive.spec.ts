/** whileHeartbeating: heartbeats while the work runs, none after, and a failing heartbeat does not fail the work. */
import { whileHeartbeating } from './keep-alive';

describe('whileHeartbeating', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('asks for a heartbeat every interval while the work runs, and stops when it settles', async () => {
    const heartbeat = jest.fn(async () => undefined);
    let finish!: (v: string) => void;
    const running = whileHeartbeating(heartbeat, () => new Promise<string>((r) => (finish = r)), 1000);
    jest.advanceTimersByTime(12_500);
    expect(heartbeat).toHaveBeenCalledTimes(12);
    finish('done');
    await expect(running).resolves.toBe('done');
    jest.advanceTimersByTime(5_000);
    expect(heartbeat).toHaveBeenCalledTimes(12);
  });

  it('stops on a failure of the work too, and passes the failure on', async () => {
    const heartbeat = jest.fn(async () => undefined);
    let fail!: (e: Error) => void;
    const running = whileHeartbeating(heartbeat, () => new Promise<void>((_, r) => (fail = r)), 1000);
    jest.advanceTimersByTime(2_000);
    fail(new Error('boom'));
    await expect(running).rejects.toThrow('boom');
    jest.advanceTimersByTime(5_000);
    expect(heartbeat).toHaveBeenCalledTimes(2);
  });

  it("swallows a failed heartbeat (a rebalance is the fetch loop's to meet)", async () => {
    const heartbeat = jest.fn(async () => {
      throw new Error('REBALANCE_IN_PROGRESS');
    });
    let finish!: () => void;
    const running = whileHeartbeating(heartbeat, () => new Promise<void>((r) => (finish = r)), 1000);
    jest.advanceTimersByTime(3_000);
    await Promise.resolve();
    finish();
    await expect(running).resolves.toBeUndefined();
    expect(heartbeat).toHaveBeenCalledTimes(3);
  });
});
