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
  'api_key.updated': { id: string; scopes: string[]; rate_limit_per_minute: number | null };
  'api_key.rotated': { id: string; previous_secret_expires_at: string };
  'api_key.revoked': { id: string };
  'webhook.endpoint_disabled': { endpoint_id: string; reason: string };
  'webhook.test': { message: string };
}

export type EventType = keyof EventPayloads;

export const EVENT_TOPIC_OF: Record<EventType, EventTopic> = {
  'contact.created': EventTopics.contacts,
  'contact.updated': EventTopics.contacts,
  'contact.deleted': EventTopics.contacts,
  'contact.merged': EventTopics.contacts,
  'contact.tags_changed': EventTopics.contacts,
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
  'webhook.endpoint_disabled': EventTopics.webhooks,
  'webhook.test': EventTopics.webhooks,
};

export const EVENT_ENVELOPE_VERSION = 1;

export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  tenant_id: string;
  mode: Mode;
  occurred_at: string;
  version: typeof EVENT_ENVELOPE_VERSION;
  data: EventPayloads[T];
}

/** Kafka headers carried on every event and request. */
export const KafkaHeaderNames = {
  requestId: 'x-request-id',
  traceparent: 'traceparent',
  eventType: 'event-type',
  /** The message pattern of a request on a service's request topic. */
  rpcPattern: 'sigil-rpc-pattern',
} as const;
