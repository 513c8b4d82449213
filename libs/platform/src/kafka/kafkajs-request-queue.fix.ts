/**
 * Fixes kafkajs 2.2.4's busy timer loop (tulios/kafkajs#1556, #1704; the fix
 * of PR #1667 is not released). After every response, each broker
 * connection's request queue schedules a check of its pending requests; with
 * nothing pending and no throttling the delay is negative, so the check runs
 * at once and schedules itself again: a 1 ms timer loop per connection,
 * forever. That loop was most of what an idle Sigil service burnt (4–6 % of
 * a core each) and a share of every busy one.
 *
 * The fixed schedule checks only when something waits: pending requests are
 * checked when the throttle ends (or every 10 ms, as kafkajs does, while they
 * wait for an in-flight slot — a completed request checks them too), and an
 * empty queue schedules nothing; `push` schedules again when a request has to
 * wait.
 *
 * The request-timeout check is coarser. kafkajs runs it on a 100 ms interval
 * per connection for as long as the connection lives, and an idle consumer
 * always has a request in flight (the long-poll fetch): seven connections per
 * service made 70 timer wake-ups a second doing nothing (`bench:idle` with a
 * timer census, session 18). Every request's timeout is at least the
 * client's `requestTimeout` (10 s here: kafkajs takes the larger of it and a
 * request's own), so the check now runs every tenth of it, between 100 ms and
 * 1 s: a request that hangs is failed at most a tenth later than its timeout,
 * and a connection costs one wake-up a second.
 *
 * Applied once, when the platform's Kafka code loads; kafkajs is pinned at
 * 2.2.4 (package.json), and the unit test fails if the queue it patches
 * changes shape.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

/** The kafkajs internals this fix touches. */
export interface RequestQueueInternals {
  pending: unknown[];
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId: NodeJS.Timeout | undefined | null;
  isConnected(): boolean;
  destroy(): void;
  scheduleRequestTimeoutCheck(): void;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type RequestQueueClass = { prototype: RequestQueueInternals } & (new (options: Record<string, unknown>) => RequestQueueInternals);

/** kafkajs' interval for re-checking requests that wait for an in-flight slot. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;

/** How often in-flight requests are checked against their timeout: a tenth of it, between 100 ms and 1 s. */
export function requestTimeoutCheckIntervalMs(requestTimeout: number): number {
  return Math.min(Math.max(requestTimeout / 10, 100), 1000);
}

function scheduleRequestTimeoutCheck(this: RequestQueueInternals): void {
  if (!this.enforceRequestTimeout) return;
  this.destroy();
  this.requestTimeoutIntervalId = setInterval(() => {
    const now = Date.now();
    this.inflight.forEach((request) => {
      if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
    });
    if (!this.isConnected()) this.destroy();
  }, requestTimeoutCheckIntervalMs(this.requestTimeout));
}

RequestQueue.prototype.scheduleRequestTimeoutCheck = scheduleRequestTimeoutCheck;

/** The patched class (for the unit test). */
export const KafkajsRequestQueue = RequestQueue;
