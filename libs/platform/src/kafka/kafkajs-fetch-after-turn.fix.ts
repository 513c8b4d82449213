/**
 * Makes a kafkajs 2.2.4 consumer send its next fetch after the work its last
 * fetch started, not before it (issue #13, docs/performance.md session 11).
 *
 * What kafkajs does: as soon as every message of a fetch has been handed to
 * `eachMessage` (whose promise resolves once a request is dispatched or a
 * reply settled), its fetch loop builds and writes the next Fetch request, in
 * the same run of microtasks. The request path's own next write came later
 * in that run or in the same turn's `setImmediate`: the gateway's HTTP
 * response to the reply it just read, the contacts service's SQL statement
 * (its batched lookup flushes at `setImmediate`). Traced one read at a time,
 * the next fetch left first in 299 of 301 requests in the gateway and 294 of
 * 299 in the service, and writing it wakes the broker's threads, which on
 * two cores often take the core this process needs: the step "gateway's
 * fetch returned → response finished" took a p10 of 0.40–1.18 ms (median
 * 1.0–6.3) and "service's fetch returned → SQL sent" 0.34–0.54 ms (median
 * 0.5–2.9), against 0.20–0.27 (median 0.26–0.45) and 0.21–0.26 (median
 * 0.25–0.40) with a two-hop version of this fix, and the one hop kept here
 * ordered every write the same way (docs/performance.md, session 11).
 *
 * The fix: the runner's `fetch` first waits one `setImmediate` hop, i.e.
 * until the immediates already queued this turn have run (the batched
 * lookups the handlers queued while their messages were dispatched) and
 * the microtasks before them (the HTTP response of a settled reply), then
 * fetches as before. Nothing else changes: the same requests, the same
 * offsets, the same rebalance handling (the runner checks that it is still
 * running after the wait, as before). A second hop (until the next turn's
 * immediates) ordered the writes no better in the same trace and would
 * make a busy consumer wait for a whole extra turn of I/O.
 * Applied once, when the platform's Kafka code loads; kafkajs is pinned at
 * 2.2.4 (package.json), and the unit test fails if the method it wraps
 * changes shape.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Runner = require('kafkajs/src/consumer/runner') as RunnerClass;

/** The kafkajs internals this fix touches. */
export interface RunnerInternals {
  fetch(nodeId: number): Promise<unknown[]>;
}
type RunnerClass = { prototype: RunnerInternals };

/** kafkajs' own fetch of the runner (for the unit test). */
export const kafkajsRunnerFetch = Runner.prototype.fetch;

/** Resolves once the immediates queued before it have run. */
export function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function fetchAfterTurn(this: RunnerInternals, nodeId: number): Promise<unknown[]> {
  await afterThisTurn();
  return kafkajsRunnerFetch.call(this, nodeId);
}

Runner.prototype.fetch = fetchAfterTurn;

/** The patched class (for the unit test). */
export const KafkajsRunner = Runner;
