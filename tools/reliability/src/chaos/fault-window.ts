/**
 * How the requests around one chaos fault fared (chaos-runner.ts reports it per
 * fault): which requests were in flight during the fault's window, how many
 * failed, what they answered (504 `upstream_timeout`, 503, 0 = no answer),
 * which operations they were, and when — counted from the injection itself
 * (the kill), not from the start of the fault's window, which also covers
 * looking up which node to kill.
 */

export interface TimedResponse {
  sentAt: number;
  /** When the answer (or the failure) came. */
  at: number;
  /** 0: no HTTP answer. */
  status: number;
  op: string;
}

export interface FaultSpan {
  start: number;
  end: number;
  /** When the fault was injected (the kill); the window's start if not known. */
  injectedAt?: number;
  /** A Kafka fault: when its broker accepted connections again. */
  brokerUpAt?: number;
}

export interface FaultWindowSummary {
  requests: number;
  failed: number;
  /** Failed requests by what they answered ("504", "503", "0" for no answer). */
  failedByStatus: Record<string, number>;
  failedByOp: Record<string, number>;
  /** The last failed request was sent this long after the window began / the injection / the broker was back (negative: before). */
  lastFailureAfterStartMs?: number;
  lastFailureAfterInjectionMs?: number;
  lastFailureAfterBrokerUpMs?: number;
  /** Failed requests sent in each second after the injection: [0] = the first second. */
  failedPerSecondAfterInjection: number[];
  /** Failed requests of the window sent before the injection (in flight when it came). */
  failedSentBeforeInjection: number;
  /** Each failed request (the last 200 sent): what it was, when it was sent after the injection, how long until it failed. */
  failedRequests: Array<{ op: string; status: number; sentAfterInjectionMs: number; ms: number }>;
}

/** Failed requests listed one by one per fault, at most. */
const LISTED_FAILURES = 200;

/** A failure as the chaos audit counts it: a 5xx or no answer at all. */
export function isFailure(status: number): boolean {
  return status === 0 || status >= 500;
}

/** A request belongs to a window if it was in flight at any moment of it (sent before and killed by it, too). */
export function inWindow(r: Pick<TimedResponse, 'sentAt' | 'at'>, w: Pick<FaultSpan, 'start' | 'end'>): boolean {
  return r.sentAt <= w.end && r.at >= w.start;
}

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export function summarizeWindow(responses: readonly TimedResponse[], w: FaultSpan): FaultWindowSummary {
  const during = responses.filter((r) => inWindow(r, w));
  const failed = during.filter((r) => isFailure(r.status));
  const injectedAt = w.injectedAt ?? w.start;
  const lastSent = failed.length ? Math.max(...failed.map((r) => r.sentAt)) : undefined;
  const perSecond: number[] = [];
  let before = 0;
  for (const r of failed) {
    if (r.sentAt < injectedAt) {
      before++;
      continue;
    }
    const second = Math.floor((r.sentAt - injectedAt) / 1000);
    while (perSecond.length <= second) perSecond.push(0);
    perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  return {
    requests: during.length,
    failed: failed.length,
    failedByStatus: count(failed.map((r) => String(r.status))),
    failedByOp: count(failed.map((r) => r.op)),
    lastFailureAfterStartMs: lastSent === undefined ? undefined : lastSent - w.start,
    lastFailureAfterInjectionMs: lastSent === undefined ? undefined : lastSent - injectedAt,
    lastFailureAfterBrokerUpMs: lastSent === undefined || w.brokerUpAt === undefined ? undefined : lastSent - w.brokerUpAt,
    failedPerSecondAfterInjection: perSecond,
    failedSentBeforeInjection: before,
    // The latest ones when there are more: the fault's tail is what its target is about.
    failedRequests: [...failed]
      .sort((a, b) => a.sentAt - b.sentAt)
      .slice(-LISTED_FAILURES)
      .map((r) => ({ op: r.op, status: r.status, sentAfterInjectionMs: r.sentAt - injectedAt, ms: r.at - r.sentAt })),
  };
}

/**
 * Whether the load is steady at `end` (chaos-runner.ts waits for it before the first fault): the requests sent
 * during the `windowMs` before `end` are all answered (`end` lies a client time-out in the past) and none failed,
 * and neither did any request sent since then whose answer is known already. Measuring starts at `end`, so a
 * failure known after it means the warm-up is not over: session 10's run declared itself steady at 24 s (14-24 s
 * clean) while requests sent at 25-35 s had failed already, and those counted as failures outside every fault.
 */
export function isSteady(responses: readonly Pick<TimedResponse, 'sentAt' | 'status'>[], end: number, windowMs: number): boolean {
  let inWindowCount = 0;
  for (const r of responses) {
    if (r.sentAt < end - windowMs) continue;
    if (isFailure(r.status)) return false;
    if (r.sentAt < end) inWindowCount++;
  }
  return inWindowCount > 0;
}
