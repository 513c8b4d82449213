/**
 * The kafkajs request-queue fix: an idle queue schedules no timer at all, a
 * queue with waiting requests still gets them sent.
 */
import { KafkajsRequestQueue, requestTimeoutCheckIntervalMs, type RequestQueueInternals } from './kafkajs-request-queue.fix';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(options: { requestTimeout?: number; enforceRequestTimeout?: boolean } = {}): RequestQueueInternals {
  return new KafkajsRequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: options.requestTimeout ?? 1000,
    enforceRequestTimeout: options.enforceRequestTimeout ?? false,
    clientId: 'test',
    broker: 'b:1',
    logger,
  }) as RequestQueueInternals;
}

describe('kafkajs request queue fix', () => {
  it('schedules no check when nothing is pending (kafkajs 2.2.4 loops on a 1 ms timer)', () => {
    const q = queue();
    q.checkPendingRequests();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still checks pending requests: when the throttle ends, or soon while they wait for a slot', () => {
    jest.useFakeTimers();
    try {
      const q = queue();
      const check = jest.spyOn(q, 'checkPendingRequests').mockImplementation(() => undefined);
      q.pending.push({});
      q.throttledUntil = Date.now() + 500;
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).not.toBeNull();
      jest.advanceTimersByTime(499);
      expect(check).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(check).toHaveBeenCalledTimes(1);

      check.mockClear();
      q.throttledUntil = -1;
      q.scheduleCheckPendingRequests();
      jest.advanceTimersByTime(10);
      expect(check).toHaveBeenCalledTimes(1);
      q.pending.length = 0;
      q.destroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('checks in-flight requests against their timeout every tenth of it, between 100 ms and 1 s (kafkajs: every 100 ms)', () => {
    expect(requestTimeoutCheckIntervalMs(10000)).toBe(1000);
    expect(requestTimeoutCheckIntervalMs(30000)).toBe(1000);
    expect(requestTimeoutCheckIntervalMs(3000)).toBe(300);
    expect(requestTimeoutCheckIntervalMs(500)).toBe(100);
  });

  it('times out a hung request no later than a tenth after its timeout, and wakes once a second meanwhile', () => {
    jest.useFakeTimers();
    try {
      const q = queue({ requestTimeout: 10000, enforceRequestTimeout: true });
      const timeoutRequest = jest.fn();
      q.inflight.set(1, { sentAt: Date.now(), requestTimeout: 10000, timeoutRequest });
      const wakeUps = jest.fn(() => true);
      q.isConnected = wakeUps;
      const before = jest.getTimerCount();
      q.scheduleRequestTimeoutCheck();
      expect(jest.getTimerCount()).toBe(before + 1);
      jest.advanceTimersByTime(10000);
      expect(timeoutRequest).not.toHaveBeenCalled();
      expect(wakeUps).toHaveBeenCalledTimes(10);
      jest.advanceTimersByTime(1000);
      expect(timeoutRequest).toHaveBeenCalledTimes(1);
      q.inflight.clear();
      q.destroy();
      expect(jest.getTimerCount()).toBe(before);
    } finally {
      jest.useRealTimers();
    }
  });

  it('schedules no timeout check when timeouts are not enforced', () => {
    jest.useFakeTimers();
    try {
      const q = queue({ enforceRequestTimeout: false });
      const before = jest.getTimerCount();
      q.scheduleRequestTimeoutCheck();
      expect(jest.getTimerCount()).toBe(before);
    } finally {
      jest.useRealTimers();
    }
  });
});
