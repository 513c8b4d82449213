/** The usage-analytics outcome of a response (SPEC §15), from its status code. */
import type { UsageOutcome } from '@sigil/contracts';

export function usageOutcome(status: number): UsageOutcome {
  if (status < 400) return 'ok';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status < 500) return 'invalid';
  return 'error';
}
