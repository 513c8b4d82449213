/**
 * The event-type catalogue (SPEC §14, `GET /v1/event-types`): for every event
 * a webhook can subscribe to, a description, the zod schema of its `data` and
 * an example. The webhooks service publishes the JSON Schema generated from
 * these schemas, and endpoint filters are validated against the catalogue's
 * types. Each schema is type-checked against `EventPayloads`, so an event
 * added there without an entry here (or a payload field missing here) fails
 * `npm run typecheck`.
 */
import { z } from 'zod';
import { AccessEventSchemas } from './access-events';
import { SUBSCRIPTION_STATUSES, type EventPayloads, type EventType, type InternalEventType } from './events';

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_`), `a ${prefix}_ id`);
const instant = z.string().datetime({ offset: true });

const CustomFieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);

export const ContactSnapshotSchema = z
  .object({
    id: id('con'),
    external_id: z.string().nullable().describe("The caller's own id of this contact (unique per tenant and mode), or null."),
    email: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    phone: z.string().nullable(),
    tags: z.array(z.string()),
    custom_fields: z.record(CustomFieldValueSchema).describe('Values by custom field key: text, number, boolean, date (ISO), select or multi-select.'),
    subscription_status: z.enum(SUBSCRIPTION_STATUSES).describe('Whether the contact may be emailed: only `subscribed` may (and only when not suppressed).'),
    suppressed: z.boolean().describe("A suppression of the tenant matches the contact's email or its domain."),
    created_at: instant,
    updated_at: instant,
    version: z.number().int().describe('Monotonic per contact: drop an event older than the version you hold.'),
  })
  .describe('The contact as it is after the change.');

const contact = ContactSnapshotSchema;
const listMembership = z.object({ list_id: id('lst'), contact_id: id('con') });
const segmentMembership = z.object({ segment_id: id('seg'), contact_id: id('con') });

/** One catalogue entry: what the event means, the schema of its `data`, an example `data`. */
export interface EventTypeEntry<T extends EventType> {
  description: string;
  data: z.ZodType<EventPayloads[T]>;
  example: EventPayloads[T];
}

const exampleContact = {
  id: 'con_01JD2Q8N6W5Z3Y4X7V9T1R0S2P',
  external_id: 'crm-1042',
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  phone: '+447700900123',
  tags: ['vip'],
  custom_fields: { plan: 'pro', seats: 12 },
  subscription_status: 'subscribed' as const,
  suppressed: false,
  created_at: '2026-11-20T09:30:00.000Z',
  updated_at: '2026-11-21T14:05:12.000Z',
  version: 3,
};

/**
 * Every subscribable event type: not the internal ones (configuration and
 * sign-ins, for the audit log) nor `webhook.test` (sent only on request).
 */
export const EVENT_CATALOGUE: { [T in Exclude<EventType, 'webhook.test' | InternalEventType>]: EventTypeEntry<T> } = {
  'contact.created': {
    description: 'A contact was created (by the API, a batch or an import).',
    data: z.object({ contact }),
    example: { contact: { ...exampleContact, version: 1, updated_at: exampleContact.created_at } },
  },
  'contact.updated': {
    description: 'Fields of a contact changed; `changed` names them.',
    data: z.object({ contact, changed: z.array(z.string()).describe('The fields that changed (custom fields as `custom_fields.<key>`).') }),
    example: { contact: exampleContact, changed: ['first_name', 'custom_fields.plan'] },
  },
  'contact.deleted': {
    description: 'A contact was deleted.',
    data: z.object({ id: id('con'), version: z.number().int() }),
    example: { id: exampleContact.id, version: 4 },
  },
  'contact.merged': {
    description: 'Duplicate contacts were merged into `primary_id`; `contact.deleted` follows for each merged id and `contact.updated` for the primary.',
    data: z.object({ primary_id: id('con'), merged_ids: z.array(id('con')).min(1) }),
    example: { primary_id: exampleContact.id, merged_ids: ['con_01JD2QH7J8K9M0N1P2Q3R4S5T6'] },
  },
  'contact.tags_changed': {
    description: 'Tags were added to or removed from a contact.',
    data: z.object({ contact, added: z.array(z.string()), removed: z.array(z.string()) }),
    example: { contact: exampleContact, added: ['vip'], removed: ['trial'] },
  },
  'contact.imported': {
    description:
      'A row of an import job started with a `list_id` created or updated this contact (after its `contact.created` or `contact.updated`); the contact is added to that list (`list.member_added` follows if it was not a member).',
    data: z.object({ contact_id: id('con'), import_id: id('imp'), list_id: id('lst') }),
    example: { contact_id: exampleContact.id, import_id: 'imp_01JD2QH7J8K9M0N1P2Q3R4S5T6', list_id: 'lst_01JD2QH7J8K9M0N1P2Q3R4S5T6' },
  },
  'contact.subscription_changed': {
    description:
      "A contact's subscription status changed (API, batch, double opt-in confirmation, one-click unsubscribe); a `contact.updated` with the new status accompanies it.",
    data: z.object({
      contact_id: id('con'),
      status: z.enum(SUBSCRIPTION_STATUSES),
      previous_status: z.enum(SUBSCRIPTION_STATUSES),
      source: z.string().describe('`api`, `batch`, `merge`, `double_opt_in_requested`, `double_opt_in` or `one_click_unsubscribe`'),
      occurred_at: instant,
    }),
    example: {
      contact_id: exampleContact.id,
      status: 'unsubscribed',
      previous_status: 'subscribed',
      source: 'one_click_unsubscribe',
      occurred_at: '2026-11-21T14:05:12.000Z',
    },
  },
  'contact.activity_recorded': {
    description: 'An activity (a purchase, a page view…) was recorded for a contact.',
    data: z.object({
      contact_id: id('con'),
      activity: z.object({ id: id('act'), type: z.string(), occurred_at: instant, properties: z.record(z.unknown()) }),
    }),
    example: {
      contact_id: exampleContact.id,
      activity: { id: 'act_01JD2QB3C4D5E6F7G8H9J0K1M2', type: 'purchase', occurred_at: '2026-11-21T14:05:12.000Z', properties: { amount: 42.5 } },
    },
  },
  'list.member_added': {
    description: 'A contact was added to a static list.',
    data: listMembership,
    example: { list_id: 'lst_01JD2QC7N8P9Q0R1S2T3V4W5X6', contact_id: exampleContact.id },
  },
  'list.member_removed': {
    description: 'A contact was removed from a static list.',
    data: listMembership,
    example: { list_id: 'lst_01JD2QC7N8P9Q0R1S2T3V4W5X6', contact_id: exampleContact.id },
  },
  'segment.contact_entered': {
    description: "A contact started matching a dynamic segment's rules.",
    data: segmentMembership,
    example: { segment_id: 'seg_01JD2QD1E2F3G4H5J6K7M8N9P0', contact_id: exampleContact.id },
  },
  'segment.contact_exited': {
    description: "A contact stopped matching a dynamic segment's rules.",
    data: segmentMembership,
    example: { segment_id: 'seg_01JD2QD1E2F3G4H5J6K7M8N9P0', contact_id: exampleContact.id },
  },
  'api_key.created': {
    description: 'An API key was created.',
    data: z.object({ id: id('key'), prefix: z.string(), environment: z.enum(['live', 'test']), scopes: z.array(z.string()) }),
    example: { id: 'key_01JD2QE5F6G7H8J9K0M1N2P3Q4', prefix: 'sk_live_3fA9', environment: 'live', scopes: ['contacts:read'] },
  },
  'api_key.updated': {
    description: 'An API key’s scopes, rate limit or allowed networks changed.',
    data: z.object({
      id: id('key'),
      scopes: z.array(z.string()),
      rate_limit_per_minute: z.number().int().nullable(),
      allowed_cidrs: z.array(z.string()).nullable().describe('Networks the key may be used from, or null for anywhere.'),
    }),
    example: {
      id: 'key_01JD2QE5F6G7H8J9K0M1N2P3Q4',
      scopes: ['contacts:read', 'contacts:write'],
      rate_limit_per_minute: 600,
      allowed_cidrs: ['203.0.113.0/24'],
    },
  },
  'api_key.rotated': {
    description: 'An API key was rotated; the previous secret works until `previous_secret_expires_at`.',
    data: z.object({ id: id('key'), previous_secret_expires_at: instant }),
    example: { id: 'key_01JD2QE5F6G7H8J9K0M1N2P3Q4', previous_secret_expires_at: '2026-11-22T14:05:12.000Z' },
  },
  'api_key.revoked': {
    description: 'An API key was revoked.',
    data: z.object({ id: id('key') }),
    example: { id: 'key_01JD2QE5F6G7H8J9K0M1N2P3Q4' },
  },
  'tenant.plan_changed': {
    description: "The tenant's plan or its custom limits changed; `limits` are the ones now in force.",
    data: AccessEventSchemas['tenant.plan_changed'],
    example: {
      tenant_id: 'ten_01JD2QG3H4J5K6M7N8P9Q0R1S2',
      plan: 'pro',
      limits: { requests_per_minute: 500, requests_per_day: 50000, max_active_keys: 10 },
      custom_limits: null,
      previous: { plan: 'starter', limits: { requests_per_minute: 100, requests_per_day: 10000, max_active_keys: 2 } },
    },
  },
  'member.invited': {
    description: 'Someone was invited to the account with a role (the invitation token is never in the event).',
    data: AccessEventSchemas['member.invited'],
    example: {
      invitation_id: 'inv_01JD2QG3H4J5K6M7N8P9Q0R1S3',
      email: 'grace@example.com',
      role: 'developer',
      invited_by: 'usr_01JD2QG3H4J5K6M7N8P9Q0R1S4',
      expires_at: '2026-11-28T09:30:00.000Z',
    },
  },
  'member.invitation_revoked': {
    description: 'A pending invitation was revoked: its token no longer admits anyone.',
    data: AccessEventSchemas['member.invitation_revoked'],
    example: { invitation_id: 'inv_01JD2QG3H4J5K6M7N8P9Q0R1S3', email: 'grace@example.com', role: 'developer' },
  },
  'member.joined': {
    description: 'An invitation was accepted: the user is now a member with the role it named.',
    data: AccessEventSchemas['member.joined'],
    example: { user_id: 'usr_01JD2QG3H4J5K6M7N8P9Q0R1S5', email: 'grace@example.com', role: 'developer', invitation_id: 'inv_01JD2QG3H4J5K6M7N8P9Q0R1S3' },
  },
  'member.role_changed': {
    description: "A member's role changed (an ownership transfer changes two members' roles).",
    data: AccessEventSchemas['member.role_changed'],
    example: { user_id: 'usr_01JD2QG3H4J5K6M7N8P9Q0R1S5', email: 'grace@example.com', role: 'viewer', previous_role: 'developer' },
  },
  'member.removed': {
    description: 'A member was removed; their sessions in this account ended.',
    data: AccessEventSchemas['member.removed'],
    example: { user_id: 'usr_01JD2QG3H4J5K6M7N8P9Q0R1S5', email: 'grace@example.com', role: 'viewer', member_since: '2026-11-21T09:30:00.000Z' },
  },
  'api_key.leaked': {
    description:
      "An API key was found in public by GitHub secret scanning; with the tenant's `leaked_key_policy` `revoke` it was revoked at once (`api_key.revoked` follows), with `notify` it still works: rotate it.",
    data: AccessEventSchemas['api_key.leaked'],
    example: {
      id: 'key_01JD2QE5F6G7H8J9K0M1N2P3Q4',
      prefix: 'sg_live_3fA9',
      environment: 'live',
      reported_by: 'github_secret_scanning',
      url: 'https://github.com/octocat/hello-world/blob/4c1f2a9/config/.env',
      source: 'content',
      policy: 'revoke',
      revoked: true,
      status: 'revoked',
    },
  },
  'webhook.attempt_exhausted': {
    description: 'A delivery failed its last scheduled attempt and is now `failed`; `retry` or `recover` can still send it.',
    data: z.object({
      endpoint_id: id('whe'),
      delivery_id: id('msg'),
      event_id: z.string(),
      event_type: z.string(),
      attempts: z.number().int(),
      last_status_code: z.number().int().nullable(),
      last_error: z.string(),
    }),
    example: {
      endpoint_id: 'whe_01JD2QF9G0H1J2K3M4N5P6Q7R8',
      delivery_id: 'msg_01JD2QJ1K2M3N4P5Q6R7S8T9V0',
      event_id: 'evt_01JD2QJ5K6M7N8P9Q0R1S2T3V4',
      event_type: 'contact.created',
      attempts: 8,
      last_status_code: 503,
      last_error: 'HTTP 503',
    },
  },
  'webhook.endpoint_disabled': {
    description: 'Sigil disabled a webhook endpoint: it answered 410 Gone (`gone`) or failed for too long (`failing`).',
    data: z.object({ endpoint_id: id('whe'), reason: z.string().describe('`gone` or `failing`') }),
    example: { endpoint_id: 'whe_01JD2QF9G0H1J2K3M4N5P6Q7R8', reason: 'failing' },
  },
};

export type SubscribableEventType = keyof typeof EVENT_CATALOGUE;
export const SUBSCRIBABLE_EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as SubscribableEventType[];
