/**
 * Request/reply patterns and payloads of the segments service: static lists,
 * dynamic segments and their rule language (SPEC §6, docs/segments.md).
 * Rule trees are checked structurally here (the gateway and the service share
 * it); the service adds what needs its data (list ids, custom field types).
 */
import { z } from 'zod';
import type { ContactSnapshot } from './events';
import { ByIdParams, defineRpc, replyOf } from './define-rpc';
import { qualify } from './naming';

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

/** `page`+`limit` or an opaque `cursor` (SPEC §2); query strings arrive as text. */
export const SegmentsPageQuerySchema = z
  .object({
    page: z.coerce.number().int().min(1).max(100000).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();
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

export const UpdateListSchema = z
  .object({ name: listName.optional(), description: description.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update', path: ['(body)'] });
export type UpdateListRequest = z.infer<typeof UpdateListSchema>;

export const MAX_MEMBERS_PER_CALL = 1000;

export const ListMembersChangeSchema = z
  .object({ contact_ids: z.array(z.string().min(1).max(64)).min(1).max(MAX_MEMBERS_PER_CALL) })
  .strict();
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

/** A contact as the segments read model knows it (no `version`). */
/** A contact as the segments read model holds it (it keeps no `external_id`, the contacts service's key, nor consent state yet). */
export type SegmentContactView = Omit<ContactSnapshot, 'version' | 'external_id' | 'subscription_status' | 'suppressed'>;

export interface ListMemberView extends SegmentContactView {
  added_at: string;
}

export const ExportFormatSchema = z.object({ format: z.enum(['csv', 'ndjson']).default('csv') }).strict();

export const ListExportChunkSchema = z
  .object({
    list_id: z.string().max(64),
    after: z.string().max(64).nullable(),
    limit: z.number().int().min(1).max(2000),
  })
  .strict();
export type ListExportChunkRequest = z.infer<typeof ListExportChunkSchema>;

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

export type RuleScalar = string | number | boolean;
export type RuleValue = RuleScalar | RuleScalar[];

export interface AttributeCondition {
  attribute: RuleAttribute;
  op: ValueOp;
  value?: RuleValue;
}
export interface CustomFieldCondition {
  custom_field: string;
  op: ValueOp;
  value?: RuleValue;
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
export type RuleCondition = AttributeCondition | CustomFieldCondition | TagCondition | ListCondition | ActivityCondition;
export type RuleNode = { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | RuleCondition;

export const RULE_LIMITS = { maxDepth: 10, maxNodes: 200, maxListValues: 1000, maxStringLength: 1000, maxWithinDays: 3650 } as const;

// ---------------------------------------------------------------- segments

const segmentName = z.string().trim().min(1).max(200);

/** Rules stay `unknown` here: their validation reports JSON paths (`rules.and[1].op`) the service builds. */
export const CreateSegmentSchema = z
  .object({ name: segmentName, description: description.optional(), rules: z.unknown() })
  .strict()
  .refine((v) => v.rules !== undefined, { message: 'Required', path: ['rules'] });
export type CreateSegmentRequest = z.output<typeof CreateSegmentSchema>;

export const UpdateSegmentSchema = z
  .object({ name: segmentName.optional(), description: description.optional(), rules: z.unknown().optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update', path: ['(body)'] });
export type UpdateSegmentRequest = { name?: string; description?: string | null; rules?: unknown };

export const PreviewSegmentSchema = z
  .object({ rules: z.unknown(), limit: z.number().int().min(0).max(100).default(10) })
  .strict()
  .refine((v) => v.rules !== undefined, { message: 'Required', path: ['rules'] });
export type PreviewSegmentRequest = { rules: unknown; limit?: number };
export type PreviewSegment = z.output<typeof PreviewSegmentSchema>;

export type SegmentStatus = 'building' | 'ready';

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  rules: RuleNode;
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

// ---------------------------------------------------------------- request/reply definitions (see define-rpc.ts)

export const SegmentRpc = {
  memberIds: defineRpc(SegmentPatterns.memberIds, z.object({ body: MemberIdsSchema }), replyOf<MemberIdsReply>()),
  listCreate: defineRpc(SegmentPatterns.listCreate, z.object({ body: CreateListSchema }), replyOf<ListView>()),
  listList: defineRpc(SegmentPatterns.listList, z.object({ query: ListListsQuerySchema }), replyOf<ListView[]>()),
  listGet: defineRpc(SegmentPatterns.listGet, z.object({ params: ByIdParams }), replyOf<ListView>()),
  listUpdate: defineRpc(SegmentPatterns.listUpdate, z.object({ params: ByIdParams, body: UpdateListSchema }), replyOf<ListView>()),
  listDelete: defineRpc(SegmentPatterns.listDelete, z.object({ params: ByIdParams }), replyOf<null>()),
  listAddMembers: defineRpc(SegmentPatterns.listAddMembers, z.object({ params: ByIdParams, body: ListMembersChangeSchema }), replyOf<ListMembersChangeReply>()),
  listRemoveMembers: defineRpc(
    SegmentPatterns.listRemoveMembers,
    z.object({ params: ByIdParams, body: ListMembersChangeSchema }),
    replyOf<ListMembersChangeReply>(),
  ),
  listMembers: defineRpc(SegmentPatterns.listMembers, z.object({ params: ByIdParams, query: ListListMembersQuerySchema }), replyOf<ListMemberView[]>()),
  listExportChunk: defineRpc(SegmentPatterns.listExportChunk, z.object({ body: ListExportChunkSchema }), replyOf<ListExportChunkReply>()),
  segmentCreate: defineRpc(SegmentPatterns.segmentCreate, z.object({ body: CreateSegmentSchema }), replyOf<SegmentView>()),
  segmentList: defineRpc(SegmentPatterns.segmentList, z.object({ query: ListSegmentsQuerySchema }), replyOf<SegmentView[]>()),
  segmentGet: defineRpc(SegmentPatterns.segmentGet, z.object({ params: ByIdParams }), replyOf<SegmentView>()),
  segmentUpdate: defineRpc(SegmentPatterns.segmentUpdate, z.object({ params: ByIdParams, body: UpdateSegmentSchema }), replyOf<SegmentView>()),
  segmentDelete: defineRpc(SegmentPatterns.segmentDelete, z.object({ params: ByIdParams }), replyOf<null>()),
  segmentPreview: defineRpc(SegmentPatterns.segmentPreview, z.object({ body: PreviewSegmentSchema }), replyOf<SegmentPreviewReply>()),
  segmentContacts: defineRpc(
    SegmentPatterns.segmentContacts,
    z.object({ params: ByIdParams, query: ListSegmentContactsQuerySchema }),
    replyOf<SegmentContactView[]>(),
  ),
  segmentCount: defineRpc(SegmentPatterns.segmentCount, z.object({ params: ByIdParams }), replyOf<SegmentCountReply>()),
} as const;
