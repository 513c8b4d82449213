/**
 * An open-loop load at a fixed rate (what wrk2 or k6's constant-arrival-rate
 * executor do): request i is due at start + i / rate and leaves then, whether
 * or not earlier requests have answered, over a pool of keep-alive
 * connections (undici). A request that finds every connection busy waits in
 * the pool's queue, and its latency is counted from the time it was due, not
 * from when a connection took it — so a server that falls behind is charged
 * for the queue it causes (no coordinated omission). A late timer in this
 * process is charged to the server too: the figures can only err on the slow
 * side.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadOptions, LoadSummary } from './load-options';

/** Requests that take longer than this count as errors (autocannon's `timeout: 10` s). */
const TIMEOUT_MS = 10_000;

/**
 * One request at a time for `durationSeconds` (a closed loop over one
 * keep-alive connection), with latencies to the microsecond: autocannon's
 * percentiles are whole milliseconds, too coarse for a 2-ms target.
 */
export async function measureSerial(options: LoadOptions): Promise<LoadSummary> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: 1, pipelining: 1, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, keepAliveTimeout: 60_000 });
  const path = url.pathname + url.search;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let non2xx = 0;
  const start = performance.now();
  const end = start + options.durationSeconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    try {
      const body = options.bodyOf ? options.bodyOf() : options.body;
      const headers = options.headersOf ? { ...options.headers, ...options.headersOf() } : options.headers;
      const res = await pool.request({ path, method: options.method ?? 'GET', headers, body });
      await res.body.dump();
      const code = String(res.statusCode);
      statusCodes[code] = (statusCodes[code] ?? 0) + 1;
      if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - t0);
      else non2xx++;
    } catch {
      errors++;
    }
  }
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  return summary(latencies, latencies.length + non2xx, elapsedS, errors, non2xx, statusCodes);
}

export async function measurePaced(options: LoadOptions & { rate: number }): Promise<LoadSummary> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    keepAliveTimeout: 60_000,
  });
  const path = url.pathname + url.search;
  const method = options.method ?? 'GET';
  const intervalMs = 1000 / options.rate;
  const total = Math.round(options.rate * options.durationSeconds);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let non2xx = 0;
  let completed = 0;
  let settled = 0;

  // Open the connections first, so the first second is not their handshakes.
  await Promise.all(
    Array.from({ length: options.connections }, () =>
      pool
        .request({ path, method: 'HEAD', headers: options.headers })
        .then((r) => r.body.dump())
        .catch(() => undefined),
    ),
  );

  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const fire = (dueAt: number) => {
      const body = options.bodyOf ? options.bodyOf() : options.body;
      const headers = options.headersOf ? { ...options.headers, ...options.headersOf() } : options.headers;
      pool
        .request({ path, method, headers, body })
        .then(async (res) => {
          await res.body.dump();
          const ms = performance.now() - dueAt;
          const code = String(res.statusCode);
          statusCodes[code] = (statusCodes[code] ?? 0) + 1;
          completed++;
          if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(ms);
          else non2xx++;
        })
        .catch(() => {
          errors++;
        })
        .finally(() => {
          if (++settled === total) resolve();
        });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) fire(start + sent++ * intervalMs);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
  const elapsedS = Math.max(options.durationSeconds, (performance.now() - start) / 1000);
  await pool.close();

  return summary(latencies, completed, elapsedS, errors, non2xx, statusCodes);
}

function summary(latencies: number[], completed: number, elapsedS: number, errors: number, non2xx: number, statusCodes: Record<string, number>): LoadSummary {
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const round2 = (n: number) => Math.round(n * 100) / 100;
  return {
    rps: Math.round((completed / elapsedS) * 10) / 10,
    requests: completed,
    mean_ms: round2(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
    p50_ms: round2(at(50)),
    p99_ms: round2(at(99)),
    max_ms: round2(latencies[latencies.length - 1] ?? 0),
    errors,
    non2xx,
    status_codes: statusCodes,
  };
}
