/** Request/reply payloads of the contacts service, and their validation schemas. */
import { z } from 'zod';
import { Instant, Timestamp } from './instant';
import { ContactSnapshotSchema } from './event-catalogue';
import { SUBSCRIPTION_STATUSES, type ContactSnapshot, type CustomFieldValue, type SubscriptionStatus } from './events';
import { ByIdParams, defineRpc, replyOf } from './define-rpc';
import { documented, mutuallyExclusive, named, relations } from './openapi-hints';
import { qualify } from './naming';
import { CursorParam, PageLimitParam, PageNumberParam } from './paging';
import type { Mode } from './rpc';

export const ContactPatterns = {
  create: qualify('contacts.create'),
  get: qualify('contacts.get'),
  list: qualify('contacts.list'),
  update: qualify('contacts.update'),
  delete: qualify('contacts.delete'),
  batchUpsert: qualify('contacts.batch_upsert'),
  merge: qualify('contacts.merge'),
  upsertByExternalId: qualify('contacts.upsert_by_external_id'),
  addTags: qualify('contacts.add_tags'),
  removeTags: qualify('contacts.remove_tags'),
  recordActivity: qualify('contacts.record_activity'),
  listActivities: qualify('contacts.list_activities'),
  createField: qualify('contacts.create_custom_field'),
  listFields: qualify('contacts.list_custom_fields'),
  getField: qualify('contacts.get_custom_field'),
  updateField: qualify('contacts.update_custom_field'),
  deleteField: qualify('contacts.delete_custom_field'),
  aggregateField: qualify('contacts.aggregate_custom_field'),
  consentHistory: qualify('contacts.consent_history'),
  requestConfirmation: qualify('contacts.request_confirmation'),
  unsubscribeToken: qualify('contacts.unsubscribe_token'),
  confirmSubscription: qualify('contacts.confirm_subscription'),
  unsubscribe: qualify('contacts.unsubscribe'),
  createSuppression: qualify('contacts.create_suppression'),
  listSuppressions: qualify('contacts.list_suppressions'),
  deleteSuppression: qualify('contacts.delete_suppression'),
  /** System-wide (ctx tenant `system`): every contact of every tenant, by id, for read models (segments). */
  snapshot: qualify('contacts.snapshot'),
  /** System-wide (ctx tenant `system`): every activity of every tenant, by id. */
  activitiesSnapshot: qualify('contacts.activities_snapshot'),
} as const;

export const MAX_BATCH_ROWS = 1000;
export const MAX_SNAPSHOT_LIMIT = 1000;
/** The tenant id of internal, cross-tenant callers (read-model rebuilds). */
export const SYSTEM_TENANT_ID = 'system';

export const TagSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} _:.\-/]+$/u, 'tags may contain letters, digits, space and _ : . - /');

/** Trimmed, inner whitespace collapsed; an empty name is no name. */
const name = z
  .string()
  .max(100)
  .transform((v) => v.trim().replace(/\s+/g, ' '))
  .transform((v) => (v === '' ? null : v));
/** E.164-like: optional +, 7–15 digits once spaces, dashes, dots and parentheses are stripped. */
export const PhoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s\-.()]/g, ''))
  .pipe(z.string().regex(/^\+?[1-9]\d{6,14}$/, 'expected an international phone number, e.g. +14155550100'));

/** An integration's own id of a contact: kept exactly as given (case matters), 1–255 characters once trimmed. */
export const ExternalIdSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^\P{Cc}+$/u, 'control characters are not allowed');

export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);

export const EmailSchema = z
  .string()
  .trim()
  .max(254)
  .email()
  .transform((v) => v.toLowerCase());

/**
 * Shape only; each value is checked against its field's definition by the contacts service (an undefined key
 * is a 400 `unknown_field`; a required field left out on create, or cleared, a 422 `custom_field_required`).
 * The document names where the keys come from (`x-defined-by`): no schema can list a tenant's fields.
 */
export const CustomFieldValuesSchema = documented(
  z.record(z.string().max(64), z.union([z.string().max(10000), z.number().finite(), z.boolean(), z.array(z.string().max(1000)).max(100), z.null()])),
  { 'x-defined-by': '/v1/custom-fields', propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' } },
);

const tagList = z.array(TagSchema).max(100);

export const CreateContactSchema = z
  .object({
    email: EmailSchema,
    external_id: ExternalIdSchema.nullable().optional(),
    first_name: name.nullable().optional(),
    last_name: name.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    tags: tagList.optional(),
    custom_fields: CustomFieldValuesSchema.optional(),
    /** Defaults to `subscribed` for contacts created through the API. */
    subscription_status: SubscriptionStatusSchema.optional(),
  })
  .strict();
export type CreateContactRequest = z.input<typeof CreateContactSchema>;

/** `PUT /v1/contacts/by-external-id/{external_id}`: a create's body, whose `external_id` (optional) is the path's. */
export const UpsertContactSchema = documented(
  CreateContactSchema.describe('A create body'),
  relations({ kind: 'equals-path', field: 'external_id', parameter: 'external_id' }),
);
export type CreateContact = z.output<typeof CreateContactSchema>;

/**
 * PATCH: only the fields present change; `null` clears a field. `tags`
 * replaces the whole set; `custom_fields` merges key by key (`null` removes a value).
 */
export const UpdateContactSchema = z
  .object({
    email: EmailSchema.optional(),
    external_id: ExternalIdSchema.nullable().optional(),
    first_name: name.nullable().optional(),
    last_name: name.nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    tags: tagList.optional(),
    custom_fields: CustomFieldValuesSchema.optional(),
    subscription_status: SubscriptionStatusSchema.optional(),
  })
  .strict();
export type UpdateContactRequest = z.input<typeof UpdateContactSchema>;
export type UpdateContact = z.output<typeof UpdateContactSchema>;

export const ContactIdSchema = z.string().regex(/^con_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a contact id');

export const TagsRequestSchema = z.object({ tags: z.array(TagSchema).min(1).max(100) }).strict();

/** What the API returns for a contact: the snapshot, `version` included (it rises with every change). */
export type ContactView = ContactSnapshot;

/** `sort`: `created_at`, `updated_at` or `email`, descending with a `-` prefix or a `:desc` suffix. */
export const ContactSortSchema = z
  .string()
  .regex(/^-?(created_at|updated_at|email)(:(asc|desc))?$/, 'expected created_at, updated_at or email, optionally -field or field:desc');

export const ListContactsQuerySchema = documented(
  z
    .object({
      page: PageNumberParam.optional(),
      limit: PageLimitParam.optional(),
      cursor: CursorParam.optional(),
      tag: TagSchema.optional(),
      list_id: z.string().min(1).max(64).optional(),
      segment_id: z.string().min(1).max(64).optional(),
      updated_since: Instant.optional(),
      q: z.string().trim().min(1).max(254).optional(),
      external_id: ExternalIdSchema.optional(),
      sort: ContactSortSchema.optional(),
    })
    .strict()
    .refine((v) => !(v.list_id && v.segment_id), { message: 'use list_id or segment_id, not both', path: ['segment_id'] })
    .refine((v) => !(v.page && v.cursor), { message: 'use page or cursor, not both', path: ['cursor'] }),
  // A list's or segment's contacts come in created_at order only: no other sort, no sync order (updated_since).
  mutuallyExclusive(
    ['list_id', 'segment_id'],
    ['page', 'cursor'],
    ['list_id', 'sort'],
    ['segment_id', 'sort'],
    ['list_id', 'updated_since'],
    ['segment_id', 'updated_since'],
  ),
);
export type ListContactsQuery = z.infer<typeof ListContactsQuerySchema>;

/** What a batch row is matched on: its email (the default) or its `external_id`. */
export const BATCH_MATCH_KEYS = ['email', 'external_id'] as const;
export type BatchMatchKey = (typeof BATCH_MATCH_KEYS)[number];

/** `POST /v1/contacts/batch`: rows are validated one by one by the service, so a bad row sinks only itself. */
export const BatchUpsertSchema = z.object({ contacts: z.array(z.unknown()).min(1), match_on: z.enum(BATCH_MATCH_KEYS).optional() }).strict();
export interface BatchUpsertRequest {
  contacts: unknown[];
  match_on?: BatchMatchKey;
}
export interface BatchRowError {
  code: string;
  message: string;
  details?: { field: string; code: string; message: string }[];
  existing_id?: string;
}
export interface BatchRowResult {
  index: number;
  status: 'created' | 'updated' | 'error';
  id?: string;
  error?: BatchRowError;
}
export interface BatchUpsertReply {
  results: BatchRowResult[];
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

// Single upsert by external_id

/** `PUT /v1/contacts/by-external-id/:external_id`: the path names the contact. */
export const ByExternalIdParams = z.object({ external_id: ExternalIdSchema });
export interface UpsertContactReply {
  contact: ContactView;
  /** True when no contact had the external_id (201); false when it was updated (200). */
  created: boolean;
}

// Merge

export const MAX_MERGE_DUPLICATES = 50;

/** `POST /v1/contacts/merge`: the duplicates are folded into the primary, then deleted. */
export const MergeContactsSchema = documented(
  z
    .object({
      primary_id: z.string().min(1).max(64),
      duplicate_ids: z.array(z.string().min(1).max(64)).min(1).max(MAX_MERGE_DUPLICATES),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.duplicate_ids.includes(v.primary_id)) {
        ctx.addIssue({ code: 'custom', path: ['duplicate_ids'], message: 'a contact cannot be merged into itself' });
      }
      if (new Set(v.duplicate_ids).size !== v.duplicate_ids.length) {
        ctx.addIssue({ code: 'custom', path: ['duplicate_ids'], message: 'duplicate_ids must be unique' });
      }
    }),
  ({ properties, ...json }) => ({
    ...json,
    properties: { ...(properties as object), duplicate_ids: { ...(properties as Record<string, object>)['duplicate_ids'], uniqueItems: true } },
    ...relations({ kind: 'not-in', field: 'primary_id', list: 'duplicate_ids' }),
  }),
);
export type MergeContactsRequest = z.infer<typeof MergeContactsSchema>;
export interface MergeContactsReply {
  /** The primary contact after the merge. */
  contact: ContactView;
  /** The duplicates merged into it (now deleted), as requested; a repeated merge answers the same. */
  merged_ids: string[];
}

// Consent: history, double opt-in and one-click unsubscribe tokens, suppressions

export interface ConsentRecordView {
  status: SubscriptionStatus;
  /** What changed it: `api`, `batch`, `double_opt_in_requested`, `double_opt_in`, `one_click_unsubscribe`, `merge`. */
  source: string;
  /** The client's IP for changes made by the contact (token routes); null for API changes. */
  ip: string | null;
  /** `api_key:<id>`, `user:<id>`, or `contact` (the contact, through a token). */
  actor: string;
  occurred_at: string;
}

export const ListConsentQuerySchema = z.object({ limit: PageLimitParam.optional(), cursor: CursorParam.optional() }).strict();
export type ListConsentQuery = z.infer<typeof ListConsentQuerySchema>;

/** A signed, single-use, expiring token bound to a tenant, mode and contact. */
export interface SubscriptionTokenView {
  token: string;
  expires_at: string;
}

const subscriptionToken = documented(z.string().min(1).max(2048), {
  'x-opaque': true,
  description: 'A token of `POST /v1/contacts/{id}/confirmation` or `GET /v1/contacts/{id}/unsubscribe-token`; only a token the API issued is valid (a 400 otherwise).',
});
export const SubscriptionTokenSchema = z
  .object({
    token: subscriptionToken,
  })
  .strict();
export type SubscriptionTokenRequest = z.infer<typeof SubscriptionTokenSchema>;

/**
 * RFC 8058 one-click unsubscribe: a mail client POSTs `List-Unsubscribe=One-Click`
 * (form-encoded or multipart) to the URL of the `List-Unsubscribe` header, which
 * carries the token (`?token=`); a JSON `{token}` body works too. The token must
 * be in exactly one place (or the same in both).
 */
export const OneClickQuerySchema = documented(z.object({ token: subscriptionToken.optional() }).strict(), relations({ kind: 'query-or-body', field: 'token' }));
export const OneClickFormSchema = z.object({ token: subscriptionToken.optional(), 'List-Unsubscribe': z.literal('One-Click').optional() }).strict();

/** Set by the gateway from the connection, never from the client's body. */
export const ClientParams = z.object({ client_ip: z.string().max(64).nullable() });

/** What a public token route answers: no personal data, only what changed. */
export interface SubscriptionChangeView {
  contact_id: string;
  subscription_status: SubscriptionStatus;
}

export const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'expected a domain, e.g. example.com');

export const CreateSuppressionSchema = documented(
  z
    .object({
      email: EmailSchema.optional(),
      domain: DomainSchema.optional(),
      reason: z.string().trim().min(1).max(200).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (!v.email === !v.domain) ctx.addIssue({ code: 'custom', path: ['email'], message: 'give either email or domain' });
    }),
  // Exactly one of the two.
  { oneOf: [{ required: ['email'] }, { required: ['domain'] }] },
);
export type CreateSuppressionRequest = z.infer<typeof CreateSuppressionSchema>;

export const ListSuppressionsQuerySchema = z.object({ limit: PageLimitParam.optional(), cursor: CursorParam.optional() }).strict();
export type ListSuppressionsQuery = z.infer<typeof ListSuppressionsQuerySchema>;

export interface SuppressionView {
  id: string;
  email: string | null;
  domain: string | null;
  reason: string | null;
  created_at: string;
}

// Activities

export const ActivityTypeSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.:-]*$/, 'lowercase letters, digits and _ . : -');

/**
 * An activity dated further ahead of the server's clock than this is refused (a 400 on `occurred_at`): clock skew
 * is fine, a typo of the year is not. The contacts service checks it (the schema cannot: it is relative to now);
 * the document states it as an `x-relations` rule of the body.
 */
export const ACTIVITY_MAX_FUTURE_SECONDS = 24 * 3600;

export const RecordActivitySchema = documented(
  z
    .object({
      type: ActivityTypeSchema,
      occurred_at: Instant.optional(),
      properties: documented(
        z
          .record(z.string().min(1).max(64), z.unknown())
          .refine((p) => Object.keys(p).length <= 50, 'at most 50 properties')
          .refine((p) => JSON.stringify(p).length <= 16384, 'at most 16 KiB of properties'),
        // The 16 KiB bound (of the JSON text) has no JSON Schema keyword; it is in the description.
        { maxProperties: 50, description: 'At most 50 properties and 16 KiB of JSON.' },
      ).optional(),
    })
    .strict(),
  relations({ kind: 'not-later-than-now-plus', field: 'occurred_at', seconds: ACTIVITY_MAX_FUTURE_SECONDS }),
);
export type RecordActivityRequest = z.infer<typeof RecordActivitySchema>;

export const ListActivitiesQuerySchema = documented(
  z
    .object({
      page: PageNumberParam.optional(),
      limit: PageLimitParam.optional(),
      cursor: CursorParam.optional(),
      type: ActivityTypeSchema.optional(),
    })
    .strict()
    .refine((v) => !(v.page && v.cursor), { message: 'use page or cursor, not both', path: ['cursor'] }),
  mutuallyExclusive(['page', 'cursor']),
);
export type ListActivitiesQuery = z.infer<typeof ListActivitiesQuerySchema>;

export interface ActivityView {
  id: string;
  contact_id: string;
  type: string;
  occurred_at: string;
  properties: Record<string, unknown>;
  created_at: string;
}

// Custom fields

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'boolean', 'date', 'select', 'multi_select'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const CustomFieldKeySchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lowercase letters, digits and _, starting with a letter, at most 64');

const optionList = documented(
  z
    .array(z.string().trim().min(1).max(100))
    .min(1)
    .max(500)
    .refine((o) => new Set(o).size === o.length, 'options must be unique'),
  { uniqueItems: true },
);

const needsOptions = (type: CustomFieldType) => type === 'select' || type === 'multi_select';

const OPTION_TYPES = ['select', 'multi_select'];
/**
 * `options` exactly for select and multi_select (a superRefine in zod), as JSON Schema. On a change
 * (`creating` false) a select type may come without options (the field's own are kept), and without a type
 * the field's current one decides.
 */
const optionsRule = (creating: boolean) => ({
  anyOf: [
    { required: creating ? ['type', 'options'] : ['type'], properties: { type: { enum: OPTION_TYPES } } },
    { required: ['type'], properties: { type: { enum: CUSTOM_FIELD_TYPES.filter((t) => !OPTION_TYPES.includes(t)) } }, not: { required: ['options'] } },
    ...(creating ? [] : [{ not: { required: ['type'] } }]),
  ],
});

export const CreateCustomFieldSchema = documented(
  z
    .object({
      key: CustomFieldKeySchema,
      label: z.string().trim().min(1).max(100),
      type: z.enum(CUSTOM_FIELD_TYPES),
      options: optionList.optional(),
      required: z.boolean().optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (needsOptions(v.type) && !v.options) ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${v.type} field needs options` });
      if (!needsOptions(v.type) && v.options) ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${v.type} field has no options` });
    }),
  optionsRule(true),
);
export type CreateCustomFieldRequest = z.infer<typeof CreateCustomFieldSchema>;

/** The key is immutable: it is the path of the value on every contact. */
export const ListCustomFieldsQuerySchema = z
  .object({
    limit: PageLimitParam.optional(),
    cursor: CursorParam.optional(),
  })
  .strict();
export type ListCustomFieldsQuery = z.infer<typeof ListCustomFieldsQuerySchema>;

export const UpdateCustomFieldSchema = documented(
  z
    .object({
      label: z.string().trim().min(1).max(100).optional(),
      type: z.enum(CUSTOM_FIELD_TYPES).optional(),
      options: optionList.optional(),
      required: z.boolean().optional(),
      // Accepted only to be refused with its own code, rather than as an unknown field.
      key: z.unknown().optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.key !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['key'], message: 'The key of a custom field cannot change.', params: { code: 'immutable' } });
      }
    })
    .transform(({ key: _key, ...changes }) => changes),
  // `key` is accepted only to be refused with its own code: for the document it is not a field. Without a
  // `type`, whether `options` fit depends on the field's current type (a 409 when they do not).
  ({ properties, ...json }) => ({
    ...json,
    ...optionsRule(false),
    properties: Object.fromEntries(Object.entries(properties as object).filter(([k]) => k !== 'key')),
  }),
);
export type UpdateCustomFieldRequest = z.output<typeof UpdateCustomFieldSchema>;

export interface CustomFieldView {
  key: string;
  label: string;
  type: CustomFieldType;
  options: string[] | null;
  required: boolean;
  created_at: string;
  updated_at: string;
}

export const AggregateQuerySchema = z.object({ top: z.coerce.number().int().min(1).max(100).optional() }).strict();
export type AggregateQuery = z.infer<typeof AggregateQuerySchema>;
export interface CustomFieldAggregate {
  key: string;
  type: CustomFieldType;
  /** Contacts with a value. */
  count: number;
  /** Distinct values (options, for multi_select). */
  distinct: number;
  /** Numbers: numbers; dates: ISO strings; otherwise null. */
  min: number | string | null;
  max: number | string | null;
  avg: number | string | null;
  /** Numbers only. */
  sum: number | null;
  /** Most frequent values (text, select, multi_select, boolean); otherwise empty. */
  top_values: { value: CustomFieldValue; count: number }[];
}

// Read-model snapshots for other services (not exposed through the gateway)

export const SnapshotRequestSchema = z.object({ after: z.string().max(64).nullable().optional(), limit: z.number().int().min(1).max(MAX_SNAPSHOT_LIMIT) }).strict();
export type SnapshotRequest = z.infer<typeof SnapshotRequestSchema>;

export type TenantContactSnapshot = ContactSnapshot & { tenant_id: string; mode: Mode };
export interface ContactsSnapshotReply {
  contacts: TenantContactSnapshot[];
  next_after: string | null;
}

export interface ActivitySnapshot {
  id: string;
  tenant_id: string;
  mode: Mode;
  contact_id: string;
  type: string;
  occurred_at: string;
  properties: Record<string, unknown>;
}
export interface ActivitiesSnapshotReply {
  activities: ActivitySnapshot[];
  next_after: string | null;
}

// Reply schemas: what the routes answer, as the OpenAPI document shows it (each checked against its view type).

export const ContactViewSchema = named('Contact', ContactSnapshotSchema.describe('A contact; `version` rises with every change.') satisfies z.ZodType<ContactView>);

const customFieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);

export const BatchUpsertReplySchema = named(
  'BatchUpsertResult',
  z.object({
    results: z.array(
      z.object({
        index: z.number().int(),
        status: z.enum(['created', 'updated', 'error']),
        id: z.string().optional(),
        error: z
          .object({
            code: z.string(),
            message: z.string(),
            details: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
            existing_id: z.string().optional(),
          })
          .optional(),
      }),
    ),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
  }) satisfies z.ZodType<BatchUpsertReply>,
);

export const MergeContactsReplySchema = named(
  'MergeResult',
  z.object({ contact: ContactViewSchema, merged_ids: z.array(z.string()) }) satisfies z.ZodType<MergeContactsReply>,
);

export const ConsentRecordViewSchema = named(
  'ConsentRecord',
  z.object({
    status: SubscriptionStatusSchema,
    source: z.string(),
    ip: z.string().nullable(),
    actor: z.string(),
    occurred_at: Timestamp,
  }) satisfies z.ZodType<ConsentRecordView>,
);

export const SubscriptionTokenViewSchema = named('SubscriptionToken', z.object({ token: z.string(), expires_at: Timestamp }) satisfies z.ZodType<SubscriptionTokenView>);

export const SubscriptionChangeViewSchema = named(
  'SubscriptionChange',
  z.object({ contact_id: z.string(), subscription_status: SubscriptionStatusSchema }) satisfies z.ZodType<SubscriptionChangeView>,
);

export const SuppressionViewSchema = named(
  'Suppression',
  z.object({
    id: z.string(),
    email: z.string().nullable(),
    domain: z.string().nullable(),
    reason: z.string().nullable(),
    created_at: Timestamp,
  }) satisfies z.ZodType<SuppressionView>,
);

export const ActivityViewSchema = named(
  'Activity',
  z.object({
    id: z.string(),
    contact_id: z.string(),
    type: z.string(),
    occurred_at: Timestamp,
    properties: z.record(z.unknown()),
    created_at: Timestamp,
  }) satisfies z.ZodType<ActivityView>,
);

export const CustomFieldViewSchema = named(
  'CustomField',
  z.object({
    key: z.string(),
    label: z.string(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    options: z.array(z.string()).nullable(),
    required: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }) satisfies z.ZodType<CustomFieldView>,
);

const numberOrDate = z.union([z.number(), z.string()]).nullable();
export const CustomFieldAggregateSchema = named(
  'CustomFieldAggregate',
  z.object({
    key: z.string(),
    type: z.enum(CUSTOM_FIELD_TYPES),
    count: z.number().int(),
    distinct: z.number().int(),
    min: numberOrDate,
    max: numberOrDate,
    avg: numberOrDate,
    sum: z.number().nullable(),
    top_values: z.array(z.object({ value: customFieldValue, count: z.number().int() })),
  }) satisfies z.ZodType<CustomFieldAggregate>,
);

// Request/reply definitions (one per pattern; see define-rpc.ts)

/** The path of a custom field (`/v1/custom-fields/:key`). */
const ByFieldKey = z.object({ key: z.string() });

export const ContactRpc = {
  create: defineRpc(ContactPatterns.create, z.object({ body: CreateContactSchema }), ContactViewSchema),
  get: defineRpc(ContactPatterns.get, z.object({ params: ByIdParams }), ContactViewSchema),
  list: defineRpc(ContactPatterns.list, z.object({ query: ListContactsQuerySchema }), z.array(ContactViewSchema)),
  update: defineRpc(ContactPatterns.update, z.object({ params: ByIdParams, body: UpdateContactSchema }), ContactViewSchema),
  delete: defineRpc(ContactPatterns.delete, z.object({ params: ByIdParams }), z.null()),
  batchUpsert: defineRpc(ContactPatterns.batchUpsert, z.object({ body: BatchUpsertSchema }), BatchUpsertReplySchema),
  merge: defineRpc(ContactPatterns.merge, z.object({ body: MergeContactsSchema }), MergeContactsReplySchema),
  upsertByExternalId: defineRpc(
    ContactPatterns.upsertByExternalId,
    z.object({ params: ByExternalIdParams, body: UpsertContactSchema }),
    z.object({ contact: ContactViewSchema, created: z.boolean() }) satisfies z.ZodType<UpsertContactReply>,
  ),
  addTags: defineRpc(ContactPatterns.addTags, z.object({ params: ByIdParams, body: TagsRequestSchema }), ContactViewSchema),
  removeTags: defineRpc(ContactPatterns.removeTags, z.object({ params: ByIdParams, body: TagsRequestSchema }), ContactViewSchema),
  recordActivity: defineRpc(ContactPatterns.recordActivity, z.object({ params: ByIdParams, body: RecordActivitySchema }), ActivityViewSchema),
  listActivities: defineRpc(ContactPatterns.listActivities, z.object({ params: ByIdParams, query: ListActivitiesQuerySchema }), z.array(ActivityViewSchema)),
  createField: defineRpc(ContactPatterns.createField, z.object({ body: CreateCustomFieldSchema }), CustomFieldViewSchema),
  listFields: defineRpc(ContactPatterns.listFields, z.object({ query: ListCustomFieldsQuerySchema }), z.array(CustomFieldViewSchema)),
  getField: defineRpc(ContactPatterns.getField, z.object({ params: ByFieldKey }), CustomFieldViewSchema),
  updateField: defineRpc(ContactPatterns.updateField, z.object({ params: ByFieldKey, body: UpdateCustomFieldSchema }), CustomFieldViewSchema),
  deleteField: defineRpc(ContactPatterns.deleteField, z.object({ params: ByFieldKey }), z.null()),
  aggregateField: defineRpc(ContactPatterns.aggregateField, z.object({ params: ByFieldKey, query: AggregateQuerySchema }), CustomFieldAggregateSchema),
  consentHistory: defineRpc(ContactPatterns.consentHistory, z.object({ params: ByIdParams, query: ListConsentQuerySchema }), z.array(ConsentRecordViewSchema)),
  requestConfirmation: defineRpc(ContactPatterns.requestConfirmation, z.object({ params: ByIdParams }), SubscriptionTokenViewSchema),
  unsubscribeToken: defineRpc(ContactPatterns.unsubscribeToken, z.object({ params: ByIdParams }), SubscriptionTokenViewSchema),
  confirmSubscription: defineRpc(ContactPatterns.confirmSubscription, z.object({ params: ClientParams, body: SubscriptionTokenSchema }), SubscriptionChangeViewSchema),
  /** The query and the body (JSON, or the fields of a form or multipart body) as the gateway received them: the token is in one of them. */
  unsubscribe: defineRpc(
    ContactPatterns.unsubscribe,
    z.object({ params: ClientParams, query: OneClickQuerySchema, body: OneClickFormSchema }),
    SubscriptionChangeViewSchema,
  ),
  createSuppression: defineRpc(ContactPatterns.createSuppression, z.object({ body: CreateSuppressionSchema }), SuppressionViewSchema),
  listSuppressions: defineRpc(ContactPatterns.listSuppressions, z.object({ query: ListSuppressionsQuerySchema }), z.array(SuppressionViewSchema)),
  deleteSuppression: defineRpc(ContactPatterns.deleteSuppression, z.object({ params: ByIdParams }), z.null()),
  snapshot: defineRpc(ContactPatterns.snapshot, z.object({ body: SnapshotRequestSchema }), replyOf<ContactsSnapshotReply>()),
  activitiesSnapshot: defineRpc(ContactPatterns.activitiesSnapshot, z.object({ body: SnapshotRequestSchema }), replyOf<ActivitiesSnapshotReply>()),
} as const;
