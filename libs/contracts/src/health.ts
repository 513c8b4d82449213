/** Readiness as reported by each service (and aggregated by the gateway). */
export type CheckStatus = 'up' | 'down';

export interface ReadinessReport {
  status: CheckStatus;
  checks: Record<string, CheckStatus>;
}
