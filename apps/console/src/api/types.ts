/** Shapes of the `/v1` resources the console shows (the `data` of the SPEC's envelopes). */
import type { Mode } from '../session/session-store';

export type { Mode };
export type PlanName = 'starter' | 'pro' | 'agency';

export const SCOPES = [
  'contacts:read',
  'contacts:write',
  'lists:read',
  'lists:write',
  'segments:read',
  'segments:write',
  'webhooks:read',
  'webhooks:write',
  'keys:read',
  'keys:write',
  'usage:read',
  'audit:read',
  '*',
] as const;
export type Scope = (typeof SCOPES)[number];

export interface PlanLimits {
  requests_per_minute: number;
  requests_per_day: number;
  max_active_keys: number;
}

export interface Me {
  tenant: { id: string; name: string; plan: PlanName; limits: PlanLimits };
  mode: Mode;
  credential: { type: 'user'; id: string; email: string; role: string } | { type: 'api_key'; id: string; prefix: string; scopes: string[] };
}

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Member {
  user_id: string;
  email: string;
  role: Role;
  joined_at: string;
}

export interface PendingInvitation {
  id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  expires_at: string;
  created_at: string;
}

/** Where an accepted invitation put the user (the tokens stay in the session store). */
export interface JoinedTenant {
  tenant: { id: string; name: string };
  user: { id: string; email: string; role: Role };
}

export interface Invitation extends Omit<PendingInvitation, 'invited_by'> {
  token: string;
}

/** A tenant the signed-in user belongs to (`GET /v1/auth/tenants`). */
export interface UserTenant {
  id: string;
  name: string;
  role: Role;
  current: boolean;
  joined_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  environment: Mode;
  prefix: string;
  last4: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  status: 'active' | 'revoked' | 'expired';
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ApiKeyWithSecret extends ApiKey {
  key: string;
  previous_key_expires_at?: string | null;
}

export interface UsageRow {
  credential_id: string;
  day: string;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  total: number;
}

/** Usage analytics: one credential's requests in one hour (or day), by outcome. */
export interface UsageSeriesRow {
  credential_id: string;
  at: string;
  total: number;
  outcomes?: Record<UsageOutcome, number>;
  routes?: Record<string, number>;
}
export const USAGE_OUTCOMES = ['ok', 'unauthorized', 'forbidden', 'rate_limited', 'invalid', 'not_found', 'error'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

export interface AuditEntry {
  id: string;
  action: string;
  actor: { type: 'user' | 'api_key'; id: string };
  resource: { type: string; id: string | null };
  mode: Mode;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: { before: unknown; after: unknown };
  occurred_at: string;
}

/** Per-endpoint delivery policy; null = the service's default. */
export interface WebhookPolicy {
  rate_limit_per_second: number | null;
  max_in_flight: number | null;
  timeout_ms: number | null;
  retry_schedule: string[] | null;
  /** Write-only values: the API answers each as `[redacted]`. */
  headers: Record<string, string> | null;
  /** `per_contact`: one delivery at a time per contact, in event order; `none` (default): each independently. */
  ordering: 'none' | 'per_contact';
}

export interface Webhook extends Omit<WebhookPolicy, 'headers'> {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: string | null;
  /** Custom header names, every value `[redacted]`. */
  headers: Record<string, string>;
  created_at: string;
}

export type StatsWindow = '1h' | '24h' | '7d';
export interface WebhookStats {
  window: StatsWindow;
  delivered: number;
  failed: number;
  retrying: number;
  success_rate: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
}

/** A background recover run and its progress. */
export interface Recovery {
  id: string;
  webhook_id: string;
  status: 'running' | 'completed';
  since: string;
  until: string;
  total: number;
  recovered: number;
  created_at: string;
  completed_at: string | null;
}

export interface WebhookWithSecret extends Webhook {
  secret: string;
  previous_secret_expires_at?: string | null;
}

/** `skipped`: the event arrived while the endpoint was disabled; recover sends it. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface DeliveryAttempt {
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

export interface DeliveryDetail extends Delivery {
  payload: { id: string; type: string; created_at: string; data: unknown };
  attempts: DeliveryAttempt[];
}

export type CustomFieldValue = string | number | boolean | string[] | null;

export interface Contact {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  tags: string[];
  custom_fields: Record<string, CustomFieldValue>;
  created_at: string;
  updated_at: string;
}

export interface Activity {
  id: string;
  type: string;
  occurred_at: string;
  properties: Record<string, unknown>;
}

export interface CustomField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'boolean' | 'date' | 'select' | 'multi_select';
  options: string[] | null;
  required: boolean;
}

export interface List {
  id: string;
  name: string;
  description: string | null;
  member_count: number;
  created_at: string;
}

export interface ListMembersChange {
  list_id: string;
  changed: number;
  results: Array<{ contact_id: string; status: 'added' | 'already_member' | 'removed' | 'not_member' | 'not_found' }>;
}

export type RuleScalar = string | number | boolean;
export type RuleValue = RuleScalar | RuleScalar[];
export interface PropertyFilter {
  property: string;
  op: string;
  value?: RuleValue;
}
export type RuleCondition =
  | { attribute: string; op: string; value?: RuleValue; tz?: string }
  | { custom_field: string; op: string; value?: RuleValue; tz?: string }
  | { tag: string; op: 'has' | 'has_not' }
  | { list: string; op: 'in' | 'not_in' }
  | { activity: string; op: 'at_least' | 'at_most' | 'ever' | 'never'; count?: number; within_days?: number; where?: PropertyFilter[] }
  | { segment: string; op: 'in' | 'not_in' }
  | { random_bucket: { percent: number; salt: string; offset?: number } }
  | { subscription_status: string; op: 'eq' | 'neq' };
export type RuleNode = { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | RuleCondition;

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  rules: RuleNode;
  /** Whether unsubscribed and suppressed contacts can be members (default false: the consent default). */
  include_unsubscribed: boolean;
  status: 'building' | 'ready';
  member_count: number;
  created_at: string;
}

export interface SegmentPreview {
  count: number;
  contacts: Contact[];
}

/** A segment a contact is in (`GET /v1/contacts/:id/segments`). */
export interface ContactSegment {
  segment_id: string;
  name: string;
  since: string;
}
