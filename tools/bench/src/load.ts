/**
 * One HTTP load measurement, summarised as the figures the bench tables show.
 * Scenarios may use it too (`measure({url, ...})`).
 *
 * Three kinds of load:
 * - **saturation** (no `rate`): autocannon, every connection sending its next
 *   request as soon as the last one answers (a closed loop);
 * - **one at a time** (one connection, no `rate`): the same closed loop timed
 *   to the microsecond (`measureSerial`), as autocannon rounds to whole ms;
 * - **a fixed rate** (`rate`): an open loop (`paced.ts`), request i leaving at
 *   start + i / rate whatever the server does, its latency counted from that
 *   scheduled time. autocannon's own rate mode is not that: each connection
 *   sends its share of the second back to back and then pauses until the next
 *   second, so "200 req/s over 50 connections" arrived as 50 concurrent
 *   requests four times at the start of every second — a burst at saturation,
 *   not a rate — and it then "corrects" latencies with an expected interval
 *   of 1 ms. Up to session 5 the fixed-rate rows were measured that way.
 */
import autocannon from 'autocannon';
import type { LoadOptions, LoadSummary } from './load-options';
import { measurePaced, measureSerial } from './paced';

export type { LoadOptions, LoadSummary } from './load-options';

export async function measure(options: LoadOptions): Promise<LoadSummary> {
  if (options.rate) return measurePaced({ ...options, rate: options.rate });
  if (options.connections === 1) return measureSerial(options);
  const result = await autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.bodyOf || options.headersOf
      ? {
          requests: [
            {
              setupRequest: (req) => ({
                ...req,
                ...(options.bodyOf ? { body: options.bodyOf() } : {}),
                ...(options.headersOf ? { headers: { ...req.headers, ...options.headersOf() } } : {}),
              }),
            },
          ],
        }
      : {}),
    timeout: 10,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat?.count ?? 0;
  return {
    rps: round(result.requests.total / Math.max(result.duration, 0.001), 1),
    requests: result.requests.total,
    mean_ms: round(result.latency.average),
    p50_ms: round(result.latency.p50),
    p99_ms: round(result.latency.p99),
    max_ms: round(result.latency.max),
    errors: result.errors,
    non2xx: result.non2xx,
    status_codes: statusCodes,
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The p-th percentile (0–100) of these values (the value at rank ⌊p/100 · n⌋ of the sorted list); 0 for none. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
