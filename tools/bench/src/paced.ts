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
