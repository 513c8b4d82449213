/** A `webhook_endpoints` row as read with SQL, and its public view (never the secrets). */
import { REDACTED_HEADER_VALUE, type WebhookOrdering, type WebhookView } from '@sigil/contracts';

export interface EndpointRow {
  id: string;
  tenant_id: string;
  mode: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  /** Sealed with the KEK `secret_key_id` (secrets/secret-keyring.ts); never in clear at rest. */
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  secret_key_id: string;
  failing_since: Date | null;
  rate_limit_per_second: number | null;
  max_in_flight: number | null;
  timeout_ms: number | null;
  retry_schedule: string[] | null;
  /** Custom headers, values in clear (never shown). */
  headers: Record<string, string>;
  ordering: WebhookOrdering;
  created_at: Date;
  updated_at: Date;
}

export function endpointView(row: EndpointRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    failing_since: row.failing_since?.toISOString() ?? null,
    rate_limit_per_second: row.rate_limit_per_second,
    max_in_flight: row.max_in_flight,
    timeout_ms: row.timeout_ms,
    retry_schedule: row.retry_schedule,
    headers: Object.fromEntries(Object.keys(row.headers ?? {}).map((name) => [name, REDACTED_HEADER_VALUE])),
    ordering: row.ordering,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
