/**
 * What a load measurement is asked for and what it reports: shared by the
 * closed loop (load.ts, autocannon) and the open loop (paced.ts), in a file
 * of their own so that neither imports the other's module for its types.
 */
export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** Concurrent connections. */
  connections: number;
  durationSeconds: number;
  /** Requests per second over all connections; omit to saturate. */
  rate?: number;
  /** A body per request (e.g. unique emails), instead of the same `body` every time. */
  bodyOf?: () => string;
  /** Headers per request, added to `headers` (e.g. a different API key each time). */
  headersOf?: () => Record<string, string>;
}

export interface LoadSummary {
  /** Completed requests per second over the whole duration. */
  rps: number;
  requests: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  status_codes: Record<string, number>;
}
