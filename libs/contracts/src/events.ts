/**
 * Domain events (SPEC §8): the envelope, every event type, its payload and the
 * topic it travels on. The Kafka message key is the aggregate id, so events of
 * one contact stay in order on one partition.
 */
import type { AccessEventPayloads } from './access-events';
import { qualify } from './naming';
import type { Mode } from './rpc';

export const EventTopics = {
  contacts: qualify('events.contacts'),
  keys: qualify('events.keys'),
  segments: qualify('events.segments'),
  webhooks: qualify('events.webhooks'),
} as const;
export type EventTopic = (typeof EventTopics)[keyof typeof EventTopics];
export const ALL_EVENT_TOPICS: readonly string[] = Object.values(EventTopics);

/** Whether a contact may be emailed (SPEC §12); only `subscribed` may, and only when not `suppressed`. */
export const SUBSCRIPTION_STATUSES = ['subscribed', 'unsubscribed', 'pending', 'bounced', 'complained'] as const;
/**
 * The statuses from least to most strict: when contacts are merged the merged
 * contact keeps the strictest of theirs. A complaint (marked as spam) outranks
 * an unsubscription (consent withdrawn), which outranks a bounce (the address
 * failed: a fact about delivery, not consent), which outranks `pending`
 * (consent not yet confirmed); only `subscribed` may be emailed.
 */
export const SUBSCRIPTION_STRICTNESS: readonly SubscriptionStatusName[] = ['subscribed', 'pending', 'bounced', 'unsubscribed', 'complained'];
type SubscriptionStatusName = (typeof SUBSCRIPTION_STATUSES)[number];
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A custom field value: text, number, boolean, date (ISO string), select or multi-select. */
export type CustomFieldValue = string | number | boolean | string[] | null;

export interface ContactSnapshot {
  id: string;
  /** The caller's own id of this contact (unique per tenant and mode), or null. */
  external_id: string | null;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  tags: string[];
  custom_fields: Record<string, CustomFieldValue>;
  subscription_status: SubscriptionStatus;
  /** A suppression of the tenant matches the email or its domain (computed; not stored on the contact). */
  suppressed: boolean;
  created_at: string;
  updated_at: string;
  /** Monotonic per contact; consumers drop events older than what they hold. */
  version: number;
}

export interface EventPayloads extends AccessEventPayloads {
  'contact.created': { contact: ContactSnapshot };
  'contact.updated': { contact: ContactSnapshot; changed: string[] };
  'contact.deleted': { id: string; version: number };
  /**
   * Duplicates folded into `primary_id` (SPEC §12). Followed, keyed by the primary id like this
   * event so all arrive in order on one partition, by `contact.deleted` for each merged id and
   * `contact.updated` for the primary: a consumer moves what it keeps of the merged ids (list
   * memberships, activities) to the primary on this event, before the deletions erase them.
   */
  'contact.merged': { primary_id: string; merged_ids: string[] };
  'contact.tags_changed': { contact: ContactSnapshot; added: string[]; removed: string[] };
  /**
   * A row of an import job with a `list_id` created or updated this contact (emitted after its
   * `contact.created`/`contact.updated`, on the same key): the segments service adds it to the list.
   */
  'contact.imported': { contact_id: string; import_id: string; list_id: string };
  /** Every change of `subscription_status` (also carried, as a field, by the `contact.updated` emitted with it). */
  'contact.subscription_changed': {
    contact_id: string;
    status: SubscriptionStatus;
    previous_status: SubscriptionStatus;
    source: string;
    occurred_at: string;
  };
  'contact.activity_recorded': {
    contact_id: string;
    activity: { id: string; type: string; occurred_at: string; properties: Record<string, unknown> };
  };
  'list.member_added': { list_id: string; contact_id: string };
  'list.member_removed': { list_id: string; contact_id: string };
  'segment.contact_entered': { segment_id: string; contact_id: string };
  'segment.contact_exited': { segment_id: string; contact_id: string };
  'api_key.created': { id: string; prefix: string; environment: Mode; scopes: string[] };
  'api_key.updated': { id: string; scopes: string[]; rate_limit_per_minute: number | null; allowed_cidrs: string[] | null };
  'api_key.rotated': { id: string; previous_secret_expires_at: string };
  'api_key.revoked': { id: string };
  'webhook.endpoint_disabled': { endpoint_id: string; reason: string };
  /** A delivery failed its last scheduled attempt (operational: `retry` or `recover` can still send it). */
  'webhook.attempt_exhausted': {
    endpoint_id: string;
    delivery_id: string;
    event_id: string;
    event_type: string;
    attempts: number;
    last_status_code: number | null;
    last_error: string;
  };
  'webhook.test': { message: string };
  /** A sign-in (login) of a tenant's user, successful or not; an unknown email has no tenant and is not an event. */
  'user.signed_in': { user_id: string; email: string; mode: Mode };
  'user.sign_in_failed': { user_id: string; email: string; reason: 'invalid_password' | 'throttled' };
  'webhook.created': { endpoint: WebhookEndpointSnapshot };
  'webhook.updated': { endpoint: WebhookEndpointSnapshot };
  'webhook.deleted': { id: string };
  'webhook.secret_rotated': { id: string; previous_secret_expires_at: string };
  'custom_field.created': { custom_field: CustomFieldSnapshot };
  'custom_field.updated': { custom_field: CustomFieldSnapshot };
  'custom_field.deleted': { key: string };
  'list.created': { list: ListSnapshot };
  'list.updated': { list: ListSnapshot };
  'list.deleted': { id: string };
  'segment.created': { segment: SegmentSnapshot };
  'segment.updated': { segment: SegmentSnapshot };
  'segment.deleted': { id: string };
}

/** What a webhook endpoint looks like in its events (never its secret; custom header values redacted). */
export interface WebhookEndpointSnapshot {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
}

export interface CustomFieldSnapshot {
  key: string;
  label: string;
  type: string;
  options: string[] | null;
  required: boolean;
}

export interface ListSnapshot {
  id: string;
  name: string;
  description: string | null;
}

export interface SegmentSnapshot {
  id: string;
  name: string;
  rules: unknown;
}

export type EventType = keyof EventPayloads;

export const EVENT_TOPIC_OF: Record<EventType, EventTopic> = {
  'contact.created': EventTopics.contacts,
  'contact.updated': EventTopics.contacts,
  'contact.deleted': EventTopics.contacts,
  'contact.merged': EventTopics.contacts,
  'contact.tags_changed': EventTopics.contacts,
  'contact.imported': EventTopics.contacts,
  'contact.subscription_changed': EventTopics.contacts,
  'contact.activity_recorded': EventTopics.contacts,
  'list.member_added': EventTopics.segments,
  'list.member_removed': EventTopics.segments,
  'segment.contact_entered': EventTopics.segments,
  'segment.contact_exited': EventTopics.segments,
  'api_key.created': EventTopics.keys,
  'api_key.updated': EventTopics.keys,
  'api_key.rotated': EventTopics.keys,
  'api_key.revoked': EventTopics.keys,
  'tenant.plan_changed': EventTopics.keys,
  'tenant.settings_changed': EventTopics.keys,
  'api_key.leaked': EventTopics.keys,
  'member.invited': EventTopics.keys,
  'member.invitation_revoked': EventTopics.keys,
  'member.joined': EventTopics.keys,
  'member.role_changed': EventTopics.keys,
  'member.removed': EventTopics.keys,
  'webhook.endpoint_disabled': EventTopics.webhooks,
  'webhook.attempt_exhausted': EventTopics.webhooks,
  'webhook.test': EventTopics.webhooks,
  'user.signed_in': EventTopics.keys,
  'user.sign_in_failed': EventTopics.keys,
  'webhook.created': EventTopics.webhooks,
  'webhook.updated': EventTopics.webhooks,
  'webhook.deleted': EventTopics.webhooks,
  'webhook.secret_rotated': EventTopics.webhooks,
  'custom_field.created': EventTopics.contacts,
  'custom_field.updated': EventTopics.contacts,
  'custom_field.deleted': EventTopics.contacts,
  'list.created': EventTopics.segments,
  'list.updated': EventTopics.segments,
  'list.deleted': EventTopics.segments,
  'segment.created': EventTopics.segments,
  'segment.updated': EventTopics.segments,
  'segment.deleted': EventTopics.segments,
};

/**
 * Configuration and sign-in events: written for the audit log (and any
 * internal consumer), not delivered to webhook endpoints — a `*` subscriber
 * gets the audience's events, not the account's settings and sign-ins.
 */
const INTERNAL_EVENT_TYPE_LIST = [
  'tenant.settings_changed',
  'user.signed_in',
  'user.sign_in_failed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'custom_field.created',
  'custom_field.updated',
  'custom_field.deleted',
  'list.created',
  'list.updated',
  'list.deleted',
  'segment.created',
  'segment.updated',
  'segment.deleted',
] as const satisfies readonly EventType[];
export type InternalEventType = (typeof INTERNAL_EVENT_TYPE_LIST)[number];
export const INTERNAL_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(INTERNAL_EVENT_TYPE_LIST);

export const EVENT_ENVELOPE_VERSION = 1;

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  tenant_id: string;
  mode: Mode;
  occurred_at: string;
  version: typeof EVENT_ENVELOPE_VERSION;
  data: EventPayloads[T];
  /**
   * Who caused the event and from where, when a request did (absent for what
   * the system does on its own, e.g. segment membership). Read by the audit
   * log; webhook payloads never include it.
   */
  meta?: EventMeta;
}

/**
 * Who made an audited change: a user's session, an API key, or the platform
 * itself on someone's behalf — `{type: "system", id: "operator"}` for the
 * operator API, `{type: "system", id: "github_secret_scanning"}` for a leaked
 * key reported by GitHub.
 */
export interface AuditActor {
  type: 'user' | 'api_key' | 'system';
  id: string;
}

/** The system actors of the audit log. */
export const SYSTEM_ACTORS = {
  operator: { type: 'system', id: 'operator' },
  secretScanning: { type: 'system', id: 'github_secret_scanning' },
} as const satisfies Record<string, AuditActor>;

export interface EventMeta {
  actor?: AuditActor;
  ip?: string;
  user_agent?: string;
  request_id?: string;
  /** The aggregate the event is about (its Kafka key). */
  resource_id?: string;
  /** Values of the changed fields before the change, when the writer knows them. */
  previous?: Record<string, unknown>;
}

/** Kafka headers carried on every event and request. */
export const KafkaHeaderNames = {
  requestId: 'x-request-id',
  traceparent: 'traceparent',
  eventType: 'event-type',
  /** The message pattern of a request on a service's request topic. */
  rpcPattern: 'sigil-rpc-pattern',
  /** Every reply partition the caller consumes ("0,1,2"): a service may reply on another if the named one's leader is unreachable. */
  replyPartitions: 'sigil-reply-partitions',
} as const;
