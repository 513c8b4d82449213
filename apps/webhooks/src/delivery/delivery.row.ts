/**
 * `webhook_deliveries` / `webhook_attempts` rows as read with SQL, and their
 * public views. The body a delivery POSTs is its event's, stored once per
 * event in `webhook_event_bodies` (not in the delivery row).
 */
import type { DeliveryAttemptView, DeliveryStatus, DeliveryView, WebhookPayload } from '@sigil/contracts';

export interface DeliveryRow {
  id: string;
  tenant_id: string;
  mode: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  generation: number;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  /** The contact the event is about (per_contact ordering), or null. */
  contact_id: string | null;
  /** Order in which events reached the service (bigint, read as text); null on rows older than ordering. */
  seq: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AttemptRow {
  attempt: number;
  attempted_at: Date;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

export function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    webhook_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempt_count: row.attempt_count,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: row.status === 'pending' ? (row.next_attempt_at?.toISOString() ?? null) : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    delivered_at: row.delivered_at?.toISOString() ?? null,
  };
}

export function attemptView(row: AttemptRow): DeliveryAttemptView {
  return {
    attempt: row.attempt,
    attempted_at: row.attempted_at.toISOString(),
    status_code: row.status_code,
    latency_ms: row.latency_ms,
    response_body: row.response_body,
    error: row.error,
  };
}

export function payloadOf(row: { body: string }): WebhookPayload {
  return JSON.parse(row.body) as WebhookPayload;
}

/** The exact bytes POSTed (stored once per event, so every delivery and retry sends the same body). */
export function webhookBody(payload: WebhookPayload): string {
  return JSON.stringify({ id: payload.id, type: payload.type, created_at: payload.created_at, data: payload.data });
}
