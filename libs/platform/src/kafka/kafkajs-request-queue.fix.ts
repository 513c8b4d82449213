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
 * wait. Applied once, when the platform's Kafka code loads; kafkajs is pinned
 * at 2.2.4 (package.json), and the unit test fails if the queue it patches
 * changes shape.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;

/** The kafkajs internals this fix touches. */
export interface RequestQueueInternals {
  pending: unknown[];
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

/** The patched class (for the unit test). */
export const KafkajsRequestQueue = RequestQueue;
