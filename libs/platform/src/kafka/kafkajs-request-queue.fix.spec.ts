/**
 * The kafkajs request-queue fix: an idle queue schedules no timer at all, a
 * queue with waiting requests still gets them sent.
 */
import { KafkajsRequestQueue, type RequestQueueInternals } from './kafkajs-request-queue.fix';

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(): RequestQueueInternals & { destroy(): void; inflight: Map<number, unknown> } {
  return new KafkajsRequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'b:1',
    logger,
  }) as RequestQueueInternals & { destroy(): void; inflight: Map<number, unknown> };
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
});
