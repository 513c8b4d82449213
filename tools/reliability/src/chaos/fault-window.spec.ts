/**
 * The chaos report's per-fault summary: which requests count for a fault,
 * what the failed ones answered, and when after the kill they were sent.
 */
import { inWindow, isFailure, isSteady, summarizeWindow, type TimedResponse } from './fault-window';

const at = (sentAt: number, status: number, op = 'create', ms = 50): TimedResponse => ({ sentAt, at: sentAt + ms, status, op });

describe('summarizeWindow', () => {
  const window = { start: 10_000, end: 30_000, injectedAt: 11_000, brokerUpAt: 20_000 };

  it('counts a request in flight at any moment of the window, also one sent before it and answered during it', () => {
    expect(inWindow(at(9_000, 504, 'create', 5_000), window)).toBe(true);
    expect(inWindow(at(9_000, 201, 'create', 500), window)).toBe(false);
    expect(inWindow(at(30_001, 201), window)).toBe(false);
  });

  it('counts 5xx and unanswered requests as failures, 4xx not', () => {
    expect([0, 500, 503, 504].every(isFailure)).toBe(true);
    expect([200, 201, 404, 409, 429].some(isFailure)).toBe(false);
  });

  it('groups the failures by answer and operation, and by the second after the kill they were sent in', () => {
    const responses = [
      at(10_500, 504, 'create', 5_000), // in flight when the node was killed
      at(11_100, 504, 'create'),
      at(11_900, 504, 'activity'),
      at(12_000, 503, 'update'),
      at(14_700, 0, 'get'),
      at(15_000, 201),
      at(40_000, 504), // another fault's
    ];
    const s = summarizeWindow(responses, window);
    expect(s).toMatchObject({
      requests: 6,
      failed: 5,
      failedByStatus: { '504': 3, '503': 1, '0': 1 },
      failedByOp: { create: 2, activity: 1, update: 1, get: 1 },
      failedSentBeforeInjection: 1,
      failedPerSecondAfterInjection: [2, 1, 0, 1],
      lastFailureAfterStartMs: 4_700,
      lastFailureAfterInjectionMs: 3_700,
      lastFailureAfterBrokerUpMs: -5_300,
    });
    expect(s.failedRequests[0]).toEqual({ op: 'create', status: 504, sentAfterInjectionMs: -500, ms: 5_000 });
    expect(s.failedRequests.map((r) => r.op)).toEqual(['create', 'create', 'activity', 'update', 'get']);
  });

  it('counts from the window start when the injection time is unknown, and reports no last failure when none failed', () => {
    const s = summarizeWindow([at(10_200, 504), at(12_000, 201)], { start: 10_000, end: 20_000 });
    expect(s.failedPerSecondAfterInjection).toEqual([1]);
    expect(s.lastFailureAfterInjectionMs).toBe(200);
    expect(s.lastFailureAfterBrokerUpMs).toBeUndefined();
    const none = summarizeWindow([at(12_000, 201)], window);
    expect(none).toMatchObject({ failed: 0, failedByStatus: {}, failedPerSecondAfterInjection: [] });
    expect(none.lastFailureAfterInjectionMs).toBeUndefined();
  });
});

describe('isSteady', () => {
  const ok = (sentAt: number) => ({ sentAt, status: 201 });
  const failed = (sentAt: number) => ({ sentAt, status: 504 });

  it('needs answered requests in the window before the end, none failed', () => {
    expect(isSteady([ok(15_000), ok(20_000)], 24_000, 10_000)).toBe(true);
    expect(isSteady([ok(15_000), failed(20_000)], 24_000, 10_000)).toBe(false);
    expect(isSteady([ok(25_000)], 24_000, 10_000)).toBe(false); // nothing in the window
  });

  it('is not steady while a request sent after the end has failed already (the warm-up goes on)', () => {
    expect(isSteady([ok(15_000), ok(20_000), failed(27_000)], 24_000, 10_000)).toBe(false);
  });

  it('ignores what failed before the window', () => {
    expect(isSteady([failed(5_000), ok(15_000), ok(26_000)], 24_000, 10_000)).toBe(true);
  });
});
