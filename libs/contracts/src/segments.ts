/**
 * Request/reply patterns and payloads of the segments service: static lists,
 * dynamic segments and their rule language (SPEC §6, docs/segments.md).
 * Rule trees are checked structurally here (the gateway and the service share
 * it); the service adds what needs its data (list ids, custom field types).
 */
import { z } from 'zod';
import { instant, Instant, Timestamp } from './instant';
import { ContactSnapshotSchema } from './event-catalogue';
import type { ContactSnapshot, SubscriptionStatus } from './events';
import { ByIdParams, defineRpc, replyOf } from './define-rpc';
import { documented, named, NON_BLANK_PATTERN, relations, type JsonSchemaObject } from './openapi-hints';
import { qualify } from './naming';
import { pageQueryFields } from './paging';

export const SegmentPatterns = {
  /** Contact ids of a list or segment, ascending, keyset-paged (used by the contacts `list_id`/`segment_id` filters). */
  memberIds: qualify('segments.member_ids'),
  listCreate: qualify('segments.lists.create'),
  listList: qualify('segments.lists.list'),
  listGet: qualify('segments.lists.get'),
  listUpdate: qualify('segments.lists.update'),
  listDelete: qualify('segments.lists.delete'),
  listAddMembers: qualify('segments.lists.add_members'),
  listRemoveMembers: qualify('segments.lists.remove_members'),
  listMembers: qualify('segments.lists.members'),
  /** One bounded chunk of a list export; the gateway pages through it with `after`. */
  listExportChunk: qualify('segments.lists.export_chunk'),
  segmentCreate: qualify('segments.create'),
  segmentList: qualify('segments.list'),
  segmentGet: qualify('segments.get'),
  segmentUpdate: qualify('segments.update'),
  segmentDelete: qualify('segments.delete'),
  segmentPreview: qualify('segments.preview'),
  segmentContacts: qualify('segments.contacts'),
  segmentCount: qualify('segments.count'),
  segmentHistory: qualify('segments.history'),
  /**
   * One bounded chunk of a segment export as rendered lines (CSV or NDJSON), read in one
   * database snapshot for the whole export, answered as a raw reply (the lines are the message's
   * bytes). (`segments.export_chunk` answered member objects, `segments.export_text_chunk` the
   * lines as a JSON string.)
   */
  segmentExportChunk: qualify('segments.export_lines_chunk'),
  /** Current segment memberships of one contact (`GET /v1/contacts/:id/segments`). */
  contactSegments: qualify('segments.contact_segments'),
} as const satisfies Record<string, string>;

/** Exactly one of `list_id` / `segment_id`. Unknown or other-tenant ids → 404. */
export interface MemberIdsRequest {
  list_id?: string;
  segment_id?: string;
  /** Exclusive lower bound (a contact id); null/absent = from the start. */
  after?: string | null;
  limit: number;
}

export interface MemberIdsReply {
  /** Contact ids, ascending. */
  ids: string[];
  has_more: boolean;
}

export const MemberIdsSchema = z
  .object({
    list_id: z.string().max(64).optional(),
    segment_id: z.string().max(64).optional(),
    after: z.string().max(64).nullable().optional(),
    limit: z.number().int().min(1).max(10000),
  })
  .strict()
  .refine((v) => (v.list_id === undefined) !== (v.segment_id === undefined), {
    message: 'give exactly one of list_id and segment_id',
    path: ['list_id'],
  });

// ---------------------------------------------------------------- pagination

/** `page`+`limit` or an opaque `cursor` (SPEC §2). */
export const SegmentsPageQuerySchema = z.object(pageQueryFields).strict();
export type SegmentsPageQuery = z.infer<typeof SegmentsPageQuerySchema>;
/** One list-query schema per resource: today they page alike; each may grow its own filters. */
export const ListListsQuerySchema = SegmentsPageQuerySchema;
export const ListListMembersQuerySchema = SegmentsPageQuerySchema;
export const ListSegmentsQuerySchema = SegmentsPageQuerySchema;
export const ListSegmentContactsQuerySchema = SegmentsPageQuerySchema;

// ---------------------------------------------------------------- lists

const listName = z.string().trim().min(1).max(200);
const description = z.string().trim().max(2000).nullable();

export const CreateListSchema = z.object({ name: listName, description: description.optional() }).strict();
export type CreateListRequest = z.infer<typeof CreateListSchema>;

export const UpdateListSchema = documented(
  z
    .object({ name: listName.optional(), description: description.optional() })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update', path: ['(body)'] }),
  { minProperties: 1 },
);
export type UpdateListRequest = z.infer<typeof UpdateListSchema>;

export const MAX_MEMBERS_PER_CALL = 1000;

export const ListMembersChangeSchema = z.object({ contact_ids: z.array(z.string().min(1).max(64)).min(1).max(MAX_MEMBERS_PER_CALL) }).strict();
export type ListMembersChangeRequest = z.infer<typeof ListMembersChangeSchema>;

export interface ListView {
  id: string;
  name: string;
  description: string | null;
  member_count: number;
  created_at: string;
  updated_at: string;
}

/** Per-id outcome of an add/remove call, in request order. */
export interface ListMemberResult {
  contact_id: string;
  status: 'added' | 'already_member' | 'removed' | 'not_member' | 'not_found';
}

export interface ListMembersChangeReply {
  list_id: string;
  results: ListMemberResult[];
  /** How many ids changed membership. */
  changed: number;
}

/** A contact as the segments read model holds it (it keeps no `external_id`, the contacts service's key, nor consent state yet). */
export type SegmentContactView = Omit<ContactSnapshot, 'version' | 'external_id' | 'subscription_status' | 'suppressed'>;

export interface ListMemberView extends SegmentContactView {
  added_at: string;
}

/** A query-string boolean: `true`/`false` (also 1/0). */
const queryBoolean = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());

export const ExportFormatSchema = z.object({ format: z.enum(['csv', 'ndjson']).default('csv') }).strict();

/** List export: members who are unsubscribed or suppressed are left out unless asked (SPEC §12). */
export const ListExportQuerySchema = z.object({ format: z.enum(['csv', 'ndjson']).default('csv'), include_unsubscribed: queryBoolean.default(false) }).strict();

export const ListExportChunkSchema = z
  .object({
    list_id: z.string().max(64),
    after: z.string().max(64).nullable(),
    limit: z.number().int().min(1).max(2000),
    include_unsubscribed: z.boolean().default(false),
  })
  .strict();
export type ListExportChunkRequest = z.input<typeof ListExportChunkSchema>;

export interface ListExportChunkReply {
  members: ListMemberView[];
  /** Pass back as `after` for the next chunk; null at the end. */
  next_after: string | null;
}

// ---------------------------------------------------------------- rules

export const RULE_ATTRIBUTES = ['email', 'first_name', 'last_name', 'phone', 'created_at', 'updated_at'] as const;
export type RuleAttribute = (typeof RULE_ATTRIBUTES)[number];

export const VALUE_OPS = [
  'eq',
  'neq',
  'contains',
  'starts_with',
  'ends_with',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'exists',
  'not_exists',
  'has_any',
  'has_all',
] as const;
export type ValueOp = (typeof VALUE_OPS)[number];

/**
 * Operators on a date relative to "now" (SPEC §13): the value is a number of
 * days. Membership changes as time passes; the time sweeper re-evaluates.
 */
export const RELATIVE_DATE_OPS = ['older_than_days', 'within_last_days', 'within_next_days', 'anniversary_within_days'] as const;
export type RelativeDateOp = (typeof RELATIVE_DATE_OPS)[number];

export type RuleScalar = string | number | boolean;
export type RuleValue = RuleScalar | RuleScalar[];

export interface AttributeCondition {
  attribute: RuleAttribute;
  op: ValueOp | RelativeDateOp;
  value?: RuleValue;
  /** IANA time zone of a relative-date op's calendar (default UTC). */
  tz?: string;
}
export interface CustomFieldCondition {
  custom_field: string;
  op: ValueOp | RelativeDateOp;
  value?: RuleValue;
  tz?: string;
}
export interface SegmentCondition {
  segment: string;
  op: 'in' | 'not_in';
}
export interface RandomBucketCondition {
  /** Contacts whose bucket (hash of contact id and salt, 0–100 in steps of 0.01) is in [offset, offset + percent). */
  random_bucket: { percent: number; salt: string; offset?: number };
}
export interface SubscriptionStatusCondition {
  subscription_status: SubscriptionStatus;
  op: 'eq' | 'neq';
}
export interface TagCondition {
  tag: string;
  op: 'has' | 'has_not';
}
export interface ListCondition {
  list: string;
  op: 'in' | 'not_in';
}
export interface PropertyFilter {
  property: string;
  op: ValueOp;
  value?: RuleValue;
}
export interface ActivityCondition {
  activity: string;
  op: 'at_least' | 'at_most' | 'ever' | 'never';
  count?: number;
  within_days?: number;
  where?: PropertyFilter[];
}
export type RuleCondition =
  AttributeCondition | CustomFieldCondition | TagCondition | ListCondition | ActivityCondition | SegmentCondition | RandomBucketCondition | SubscriptionStatusCondition;
export type RuleNode = { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | RuleCondition;

export const RULE_LIMITS = {
  maxDepth: 10,
  maxNodes: 200,
  /** Conditions in one and/or group: 199 activity conditions in one group timed the segments service out (session 5's quick fuzz). */
  maxGroupItems: 10,
  maxListValues: 1000,
  maxStringLength: 1000,
  maxWithinDays: 3650,
  /** Relative-date ops: days from now (anniversaries: at most a year ahead). */
  maxRelativeDays: 36500,
  maxAnniversaryDays: 366,
  /** Segments referencing segments: at most this many levels below the outermost. */
  maxSegmentNesting: 5,
} as const;

// ---------------------------------------------------------------- segments

const segmentName = z.string().trim().min(1).max(200);

/**
 * What the OpenAPI document says of `rules` (the segments service's rule
 * checker is the authority): groups (`and`, `or`, `not`) of conditions on a
 * tag, an activity or a contact attribute, every one the checker accepts
 * whatever the tenant's data. Conditions that depend on the tenant (a custom
 * field's type, a list that must exist) and deeper nesting are valid too, and
 * described in docs/segments.md; the document does not generate them.
 */
const nonBlank = (maxLength: number): JsonSchemaObject => ({ type: 'string', minLength: 1, maxLength, pattern: NON_BLANK_PATTERN });
const ruleCondition = (required: string[], properties: Record<string, JsonSchemaObject>): JsonSchemaObject => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});
const TEXT_RULE_ATTRIBUTES = ['email', 'first_name', 'last_name', 'phone'];
const RULE_LEAVES: JsonSchemaObject[] = [
  ruleCondition(['tag', 'op'], { tag: nonBlank(64), op: { enum: ['has', 'has_not'] } }),
  ruleCondition(['activity', 'op'], {
    activity: nonBlank(100),
    op: { enum: ['ever', 'never'] },
    within_days: { type: 'integer', minimum: 1, maximum: RULE_LIMITS.maxWithinDays },
  }),
  ruleCondition(['attribute', 'op'], { attribute: { enum: [...RULE_ATTRIBUTES] }, op: { enum: ['exists', 'not_exists'] } }),
  ruleCondition(['attribute', 'op', 'value'], {
    attribute: { enum: TEXT_RULE_ATTRIBUTES },
    op: { enum: ['eq', 'neq', 'contains', 'starts_with', 'ends_with'] },
    value: { type: 'string', maxLength: RULE_LIMITS.maxStringLength },
  }),
  ruleCondition(['attribute', 'op', 'value'], {
    attribute: { enum: TEXT_RULE_ATTRIBUTES },
    op: { enum: ['in', 'not_in'] },
    value: { type: 'array', minItems: 1, maxItems: RULE_LIMITS.maxListValues, items: { type: 'string', maxLength: RULE_LIMITS.maxStringLength } },
  }),
];
const ruleOrNot: JsonSchemaObject = { anyOf: [...RULE_LEAVES, ruleCondition(['not'], { not: { anyOf: RULE_LEAVES } })] };
export const SEGMENT_RULES_JSON_SCHEMA: JsonSchemaObject = {
  description: 'A rule tree: a condition, `{"not": …}`, or `{"and"|"or": [...]}` of them (docs/segments.md has every form).',
  // SDK generators that would write a class per branch may take it as any JSON (sdks/generate.sh).
  'x-open-in-sdk': true,
  anyOf: [
    ruleOrNot,
    ruleCondition(['and'], { and: { type: 'array', minItems: 1, maxItems: RULE_LIMITS.maxGroupItems, items: ruleOrNot } }),
    ruleCondition(['or'], { or: { type: 'array', minItems: 1, maxItems: RULE_LIMITS.maxGroupItems, items: ruleOrNot } }),
  ],
};
/** The document's `rules` (required when `required`) in place of the open value zod converts `z.unknown()` to. */
function documentRules(required: boolean): (json: JsonSchemaObject) => JsonSchemaObject {
  return (json) => ({
    ...json,
    properties: { ...(json['properties'] as object), rules: SEGMENT_RULES_JSON_SCHEMA },
    ...(required ? { required: [...new Set([...((json['required'] as string[]) ?? []), 'rules'])] } : { minProperties: 1 }),
  });
}

/** Rules stay `unknown` here: their validation reports JSON paths (`rules.and[1].op`) the service builds. */
export const CreateSegmentSchema = documented(
  z
    .object({
      name: segmentName,
      description: description.optional(),
      rules: z.unknown(),
      /** Members include unsubscribed and suppressed contacts (SPEC §12); default false. */
      include_unsubscribed: z.boolean().default(false),
    })
    .strict()
    .refine((v) => v.rules !== undefined, { message: 'Required', path: ['rules'] }),
  documentRules(true),
);
export type CreateSegmentRequest = z.input<typeof CreateSegmentSchema>;

export const UpdateSegmentSchema = documented(
  z
    .object({
      name: segmentName.optional(),
      description: description.optional(),
      rules: z.unknown().optional(),
      include_unsubscribed: z.boolean().optional(),
    })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update', path: ['(body)'] }),
  documentRules(false),
);
export type UpdateSegmentRequest = { name?: string; description?: string | null; rules?: unknown; include_unsubscribed?: boolean };

export const PreviewSegmentSchema = documented(
  z
    .object({ rules: z.unknown(), limit: z.number().int().min(0).max(100).default(10), include_unsubscribed: z.boolean().default(false) })
    .strict()
    .refine((v) => v.rules !== undefined, { message: 'Required', path: ['rules'] }),
  documentRules(true),
);
export type PreviewSegmentRequest = { rules: unknown; limit?: number; include_unsubscribed?: boolean };
export type PreviewSegment = Omit<z.output<typeof PreviewSegmentSchema>, 'include_unsubscribed'> & { include_unsubscribed?: boolean };

export type SegmentStatus = 'building' | 'ready';

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  rules: RuleNode;
  /** Whether unsubscribed and suppressed contacts can be members (SPEC §12). */
  include_unsubscribed: boolean;
  status: SegmentStatus;
  /** Materialised members; while `building` this counts the part built so far. */
  member_count: number;
  built_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface SegmentPreviewReply {
  count: number;
  contacts: SegmentContactView[];
}

export interface SegmentCountReply {
  segment_id: string;
  count: number;
  status: SegmentStatus;
}

export const SegmentHistoryQuerySchema = documented(
  z
    .object({
      /** ISO-8601; default: the last 30 intervals up to `to`. Bounded by `to` (or now) and the number of intervals. */
      from: documented(instant(), {
        'x-opaque': true,
        description: 'Before `to` (or now), at most 2208 hours or days of intervals back; beyond, a 400.',
      }).optional(),
      /** ISO-8601; default: now. */
      to: Instant.optional(),
      interval: z.enum(['hour', 'day']).default('day'),
    })
    .strict(),
  // Checked by the segments service (with the number of intervals, and `from` before now when `to` is absent).
  relations({ kind: 'after', field: 'to', than: 'from' }),
);
export type SegmentHistoryQuery = z.output<typeof SegmentHistoryQuerySchema>;

/** At most this many intervals per history request (92 days by hour). */
export const MAX_HISTORY_INTERVALS = 2208;

/** One interval of a segment's history: entries and exits in [at, at + interval), members at its end. */
export interface SegmentHistoryPoint {
  at: string;
  entered: number;
  exited: number;
  total: number;
}

/** A segment the contact is in now, and since when. */
export interface ContactSegmentView {
  segment_id: string;
  name: string;
  since: string;
}

export interface SegmentMemberView extends SegmentContactView {
  /** When the contact entered the segment (null while the segment is still building). */
  since: string | null;
}

export const SegmentExportChunkSchema = z
  .object({
    segment_id: z.string().max(64),
    format: z.enum(['csv', 'ndjson']),
    after: z.string().max(64).nullable(),
    /** Rows at most; the service also caps a chunk's text (`SEGMENT_EXPORT_CHUNK_BYTES`). */
    limit: z.number().int().min(1).max(20000),
    /** The export's database snapshot, from the first chunk's reply (null for the first chunk). */
    snapshot: z.string().max(64).nullable(),
  })
  .strict();
export type SegmentExportChunkRequest = z.infer<typeof SegmentExportChunkSchema>;

/**
 * Bytes of one chunk's lines at most, bounded by the segments service, so the
 * reply (the lines as the Kafka message's value, the rest in a header: a raw
 * reply, `rawReply` in the platform) stays under the 4 MiB a request/reply
 * topic accepts, with room for the headers. One row longer than this travels
 * alone.
 */
export const SEGMENT_EXPORT_CHUNK_BYTES = 4 * 1024 * 1024 - 64 * 1024;

/** A segment export chunk: sent as a raw reply, `lines` being the Kafka message's value as it is (never a JSON string). */
export interface SegmentExportChunkReply {
  /**
   * Whole lines, ready to write, UTF-8: NDJSON (one `SegmentMemberView` per line,
   * `\n`-ended) or CSV rows without the header (the gateway writes it), `\r\n`-ended.
   */
  lines: Uint8Array;
  rows: number;
  next_after: string | null;
  /** Pass back with the next chunk; null once the export is complete. */
  snapshot: string | null;
}

// ---------------------------------------------------------------- reply schemas (what the routes answer; each checked against its view type)

export const ListViewSchema = named(
  'List',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    member_count: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }) satisfies z.ZodType<ListView>,
);

export const ListMembersChangeReplySchema = named(
  'ListMembersChange',
  z.object({
    list_id: z.string(),
    results: z.array(z.object({ contact_id: z.string(), status: z.enum(['added', 'already_member', 'removed', 'not_member', 'not_found']) })),
    changed: z.number().int().describe('How many ids changed membership.'),
  }) satisfies z.ZodType<ListMembersChangeReply>,
);

export const SegmentContactViewSchema = named(
  'SegmentContact',
  ContactSnapshotSchema.omit({ version: true, external_id: true, subscription_status: true, suppressed: true }).describe(
    'A contact as the segments read model holds it.',
  ) satisfies z.ZodType<SegmentContactView>,
);

export const ListMemberViewSchema = named('ListMember', SegmentContactViewSchema.extend({ added_at: Timestamp }) satisfies z.ZodType<ListMemberView>);

/** A saved rule tree: any form the rule checker accepted, tenant-dependent ones included (docs/segments.md). */
const SavedRulesSchema = documented(
  z.custom<RuleNode>(() => true),
  {
    type: 'object',
    description: 'The rule tree as saved: a condition, `{"not": …}`, or `{"and"|"or": [...]}` (docs/segments.md has every form).',
  },
);

export const SegmentViewSchema = named(
  'Segment',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    rules: SavedRulesSchema,
    include_unsubscribed: z.boolean(),
    status: z.enum(['building', 'ready']),
    member_count: z.number().int().describe('Materialised members; while `building`, the part built so far.'),
    built_at: Timestamp.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }) satisfies z.ZodType<SegmentView>,
);

export const SegmentPreviewReplySchema = named(
  'SegmentPreview',
  z.object({ count: z.number().int(), contacts: z.array(SegmentContactViewSchema) }) satisfies z.ZodType<SegmentPreviewReply>,
);

export const SegmentCountReplySchema = named(
  'SegmentCount',
  z.object({ segment_id: z.string(), count: z.number().int(), status: z.enum(['building', 'ready']) }) satisfies z.ZodType<SegmentCountReply>,
);

export const SegmentHistoryPointSchema = named(
  'SegmentHistoryPoint',
  z.object({ at: Timestamp, entered: z.number().int(), exited: z.number().int(), total: z.number().int() }) satisfies z.ZodType<SegmentHistoryPoint>,
);

export const ContactSegmentViewSchema = named(
  'ContactSegment',
  z.object({ segment_id: z.string(), name: z.string(), since: Timestamp }) satisfies z.ZodType<ContactSegmentView>,
);

// ---------------------------------------------------------------- request/reply definitions (see define-rpc.ts)

export const SegmentRpc = {
  memberIds: defineRpc(SegmentPatterns.memberIds, z.object({ body: MemberIdsSchema }), replyOf<MemberIdsReply>()),
  listCreate: defineRpc(SegmentPatterns.listCreate, z.object({ body: CreateListSchema }), ListViewSchema),
  listList: defineRpc(SegmentPatterns.listList, z.object({ query: ListListsQuerySchema }), z.array(ListViewSchema)),
  listGet: defineRpc(SegmentPatterns.listGet, z.object({ params: ByIdParams }), ListViewSchema),
  listUpdate: defineRpc(SegmentPatterns.listUpdate, z.object({ params: ByIdParams, body: UpdateListSchema }), ListViewSchema),
  listDelete: defineRpc(SegmentPatterns.listDelete, z.object({ params: ByIdParams }), z.null()),
  listAddMembers: defineRpc(SegmentPatterns.listAddMembers, z.object({ params: ByIdParams, body: ListMembersChangeSchema }), ListMembersChangeReplySchema),
  listRemoveMembers: defineRpc(SegmentPatterns.listRemoveMembers, z.object({ params: ByIdParams, body: ListMembersChangeSchema }), ListMembersChangeReplySchema),
  listMembers: defineRpc(SegmentPatterns.listMembers, z.object({ params: ByIdParams, query: ListListMembersQuerySchema }), z.array(ListMemberViewSchema)),
  listExportChunk: defineRpc(SegmentPatterns.listExportChunk, z.object({ body: ListExportChunkSchema }), replyOf<ListExportChunkReply>()),
  segmentCreate: defineRpc(SegmentPatterns.segmentCreate, z.object({ body: CreateSegmentSchema }), SegmentViewSchema),
  segmentList: defineRpc(SegmentPatterns.segmentList, z.object({ query: ListSegmentsQuerySchema }), z.array(SegmentViewSchema)),
  segmentGet: defineRpc(SegmentPatterns.segmentGet, z.object({ params: ByIdParams }), SegmentViewSchema),
  segmentUpdate: defineRpc(SegmentPatterns.segmentUpdate, z.object({ params: ByIdParams, body: UpdateSegmentSchema }), SegmentViewSchema),
  segmentDelete: defineRpc(SegmentPatterns.segmentDelete, z.object({ params: ByIdParams }), z.null()),
  segmentPreview: defineRpc(SegmentPatterns.segmentPreview, z.object({ body: PreviewSegmentSchema }), SegmentPreviewReplySchema),
  segmentContacts: defineRpc(SegmentPatterns.segmentContacts, z.object({ params: ByIdParams, query: ListSegmentContactsQuerySchema }), z.array(SegmentContactViewSchema)),
  segmentCount: defineRpc(SegmentPatterns.segmentCount, z.object({ params: ByIdParams }), SegmentCountReplySchema),
  segmentHistory: defineRpc(SegmentPatterns.segmentHistory, z.object({ params: ByIdParams, query: SegmentHistoryQuerySchema }), z.array(SegmentHistoryPointSchema)),
  segmentExportChunk: defineRpc(SegmentPatterns.segmentExportChunk, z.object({ body: SegmentExportChunkSchema }), replyOf<SegmentExportChunkReply>()),
  contactSegments: defineRpc(SegmentPatterns.contactSegments, z.object({ params: ByIdParams }), z.array(ContactSegmentViewSchema)),
} as const;
