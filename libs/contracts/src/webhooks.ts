/**
 * Request/reply patterns and payloads of the webhooks service (SPEC §7):
 * endpoints, their secrets, deliveries and attempts; the event-filter
 * language; and the BullMQ queue name (namespaced like Kafka names, so
 * parallel stacks never share a queue).
 */
import { z } from 'zod';
import { Instant, Timestamp } from './instant';
import { SUBSCRIBABLE_EVENT_TYPES } from './event-catalogue';
import { INTERNAL_EVENT_TYPES, type EventType } from './events';
import { type AsInferred, ByIdParams, defineRpc } from './define-rpc';
import { documented, named, relations } from './openapi-hints';
import { KAFKA_NAMESPACE, qualify } from './naming';
import { pageQueryFields } from './paging';

export const WebhookPatterns = {
  create: qualify('webhooks.create'),
  list: qualify('webhooks.list'),
  get: qualify('webhooks.get'),
  update: qualify('webhooks.update'),
  delete: qualify('webhooks.delete'),
  rotateSecret: qualify('webhooks.rotate_secret'),
  sendTest: qualify('webhooks.send_test'),
  listDeliveries: qualify('webhooks.deliveries.list'),
  getDelivery: qualify('webhooks.deliveries.get'),
  retryDelivery: qualify('webhooks.deliveries.retry'),
  recover: qualify('webhooks.recover'),
  getRecovery: qualify('webhooks.recoveries.get'),
  eventTypes: qualify('webhooks.event_types'),
  stats: qualify('webhooks.stats'),
} as const satisfies Record<string, string>;

/** BullMQ queue of webhook deliveries of this stack (BullMQ forbids `:` in names). */
export const WEBHOOK_DELIVERY_QUEUE = qualify('webhooks.deliveries');
/** Redis key prefix of this stack's BullMQ queues. */
export const WEBHOOK_QUEUE_PREFIX = `bull.${KAFKA_NAMESPACE}`;

/** Event types a webhook can subscribe to: the catalogue's (every domain event but the internal ones and `webhook.test`, sent only on request). */
const SUBSCRIBABLE: readonly string[] = SUBSCRIBABLE_EVENT_TYPES;
const PREFIXES = new Set(SUBSCRIBABLE.map((t) => t.split('.')[0]!));

/** `*`, `<family>.*` (e.g. `contact.*`) or an exact event type. */
export const EventFilterSchema = documented(
  z
    .string()
    .trim()
    .refine(
      (f) => f === '*' || (f.endsWith('.*') && PREFIXES.has(f.slice(0, -2))) || SUBSCRIBABLE.includes(f),
      (f) => ({ message: `unknown event filter '${f}': use '*', '<family>.*' or one of ${SUBSCRIBABLE.join(', ')}` }),
    ),
  // The same three forms, surrounding whitespace allowed (it is trimmed).
  { pattern: `^\\s*(${['*', ...[...PREFIXES].map((p) => `${p}.*`), ...SUBSCRIBABLE].map((f) => f.replace(/[.*]/g, (c) => `\\${c}`)).join('|')})\\s*$` },
);

/** The filters a given event type matches (what an endpoint must list to receive it); none for an internal event. */
export function filtersMatching(type: string): string[] {
  if (INTERNAL_EVENT_TYPES.has(type as EventType)) return [];
  const dot = type.indexOf('.');
  return dot > 0 ? [type, `${type.slice(0, dot)}.*`, '*'] : [type, '*'];
}

export function eventMatchesFilters(filters: readonly string[], type: string): boolean {
  return filtersMatching(type).some((f) => filters.includes(f));
}

/**
 * A URL's host as the URL parser leaves it (lower-cased, international names in punycode): a domain name of letters,
 * digits and hyphens, an IPv4 address, or an IPv6 one in brackets. The parser takes more in a host of an https URL
 * (`*`, `_`, `!`…), which the document's pattern refuses: `https://a.example*` was stored (the fuzz, ST201).
 */
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)*)$/;

function parsedUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined; // reported once, by .url()
  }
}

export const WebhookUrlSchema = documented(
  z
    .string()
    // The bound is on the string as sent, the document's maxLength: after the trim, a 2 049-character URL with a
    // leading space was taken (the fuzz, ST201).
    .max(2048)
    .trim()
    .url()
    // The URL parser drops tabs and newlines inside a URL, so "https://a.example\n/x" was taken (and stored with its
    // newline) although the document's pattern refuses it. (Only for what parses as a URL: what does not has its one
    // "invalid url" detail already.)
    .refine((u) => !parsedUrl(u) || !/[\s\u0000-\u001f\u007f]/.test(u), 'whitespace and control characters are not allowed inside a URL')
    .refine((u) => !parsedUrl(u) || /^https?:$/.test(parsedUrl(u)!.protocol), 'expected an https:// URL')
    .refine((u) => !parsedUrl(u) || HOST.test(parsedUrl(u)!.hostname), 'the host must be a domain name (letters, digits, hyphens and dots) or an IP address')
    .refine((u) => !parsedUrl(u)?.username && !parsedUrl(u)?.password, 'credentials in the URL are not allowed'),
  // For the document: an https URL of a public-looking host name, without credentials. (The service also takes
  // what its target policy allows, e.g. http or IP literals in development; a generic `format: uri` would admit
  // schemes and credentials it refuses.)
  ({ format: _format, ...json }) => ({
    ...json,
    pattern: "^\\s*[Hh][Tt][Tt][Pp][Ss]://([A-Za-z0-9]([A-Za-z0-9-]{0,20}[A-Za-z0-9])?\\.)+[A-Za-z]{2,10}(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~!$&'()*+,;=:/-]*)?\\s*$",
  }),
);

const events = z
  .array(EventFilterSchema)
  .min(1)
  .max(50)
  .transform((e) => [...new Set(e)]);
const description = z.string().trim().max(500).nullable();

/** Headers Sigil sets itself, or that belong to one connection: an endpoint cannot set them. */
export const RESERVED_WEBHOOK_HEADERS = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-signature',
  'content-type',
  'content-length',
  'host',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
] as const;
const RESERVED = new Set<string>(RESERVED_WEBHOOK_HEADERS);

/** What a custom header value is shown as: values are write-only. */
export const REDACTED_HEADER_VALUE = '[redacted]';

/** How an endpoint's deliveries are ordered (SPEC §14); `none` is the default. */
export const WEBHOOK_ORDERINGS = ['none', 'per_contact'] as const;
export type WebhookOrdering = (typeof WEBHOOK_ORDERINGS)[number];
/** `500ms`, `5s`, `5m`, `2h`, `5d`, or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * unit[m[2] ?? 'ms']!);
}

/**
 * A retry delay the schedule takes: a duration `parseDuration` reads, of at
 * most 24 h, written as one regular expression per unit (the integer part
 * below the unit's 24 h, any fraction; or exactly 24 h), so that the OpenAPI
 * document states the very rule the validation applies.
 */
const upTo = (below: string, max: string) => `0*(?:${below})(?:\\.[0-9]+)?|0*${max}(?:\\.0+)?`;
export const RETRY_DELAY_PATTERN = new RegExp(
  '^\\s*(?:' +
    [
      `(?:${upTo('[0-9]{1,7}|[1-7][0-9]{7}|8[0-5][0-9]{6}|86[0-3][0-9]{5}', '86400000')})(?:\\s*ms)?`,
      `(?:${upTo('[0-9]{1,4}|[1-7][0-9]{4}|8[0-5][0-9]{3}|86[0-3][0-9]{2}', '86400')})\\s*s`,
      `(?:${upTo('[0-9]{1,3}|1[0-3][0-9]{2}|14[0-3][0-9]', '1440')})\\s*m`,
      `(?:${upTo('1?[0-9]|2[0-3]', '24')})\\s*h`,
      `(?:${upTo('0', '1')})\\s*d`,
    ].join('|') +
    ')\\s*$',
);

/**
 * Header names a custom header cannot take (Sigil sets them, or they are
 * hop-by-hop), case-insensitively, as a pattern: `[Hh][Oo][Ss][Tt]`.
 */
const RESERVED_NAME_PATTERN = RESERVED_WEBHOOK_HEADERS.map((n) => n.replace(/[a-z]/g, (c) => `[${c.toUpperCase()}${c}]`)).join('|');
const HEADER_NAME = "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}";
const MAX_CUSTOM_HEADERS = 20;

/** Per-endpoint delivery policy (SPEC §14); null (or absent at creation) = the service's default. */
const policy = {
  /** Deliveries per second to this endpoint, exact across replicas (a sliding second). */
  rate_limit_per_second: z.number().int().min(1).max(10_000).nullable(),
  /** Deliveries in flight to this endpoint at once, across replicas. */
  max_in_flight: z.number().int().min(1).max(1000).nullable(),
  /** Deadline of one attempt. */
  timeout_ms: z.number().int().min(1000).max(30_000).nullable(),
  /** Delays between attempts, e.g. `["10s", "1m", "1h"]`: one delivery makes 1 + this many attempts. */
  retry_schedule: z.array(z.string().trim().regex(RETRY_DELAY_PATTERN, 'expected a duration of at most 24h, like 500ms, 5s, 5m, 2h or 1d')).max(20).nullable(),
  /** Custom headers sent with every delivery. Values are write-only (shown redacted). */
  headers: documented(
    z
      .record(
        z
          .string()
          .regex(new RegExp(`^${HEADER_NAME}$`), 'not a valid header name')
          .refine(
            (n) => !RESERVED.has(n.toLowerCase()),
            (n) => ({ message: `'${n}' is set by Sigil or is hop-by-hop; it cannot be customised` }),
          ),
        z
          .string()
          .max(1024)
          .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'header values cannot contain control characters or line breaks'),
      )
      .refine((h) => Object.keys(h).length <= MAX_CUSTOM_HEADERS, `at most ${MAX_CUSTOM_HEADERS} headers`)
      .refine((h) => new Set(Object.keys(h).map((k) => k.toLowerCase())).size === Object.keys(h).length, 'header names must differ (case-insensitively)'),
    // The names (a token, none of the reserved ones) and their number, in JSON Schema; that two names differ
    // other than by case, JSON Schema cannot say: the bodies' `x-relations` do.
    (json) => ({
      ...json,
      propertyNames: { pattern: `^(?!(?:${RESERVED_NAME_PATTERN})$)${HEADER_NAME}$` },
      maxProperties: MAX_CUSTOM_HEADERS,
      description: `Up to ${MAX_CUSTOM_HEADERS} headers; names differ case-insensitively and are none of ${RESERVED_WEBHOOK_HEADERS.join(', ')}. Values are write-only.`,
    }),
  ).nullable(),
  /**
   * `per_contact`: the deliveries about one contact go one at a time, in event order (a failing one holds back only
   * its contact's later ones); `none`: each delivery independently, as fast as the endpoint allows.
   */
  ordering: z
    .enum(WEBHOOK_ORDERINGS)
    .describe('`per_contact`: one delivery at a time per contact, in event order; a failing one holds back only its own contact. Default `none`.'),
};

/** The header names of a body differ other than by case (a refinement of `headers`). */
const distinctHeaderNames = relations({ kind: 'distinct-keys-ignoring-case', field: 'headers' });

export const CreateWebhookSchema = documented(
  z
    .object({
      url: WebhookUrlSchema,
      events,
      description: description.optional(),
      enabled: z.boolean().optional(),
      rate_limit_per_second: policy.rate_limit_per_second.optional(),
      max_in_flight: policy.max_in_flight.optional(),
      timeout_ms: policy.timeout_ms.optional(),
      retry_schedule: policy.retry_schedule.optional(),
      headers: policy.headers.optional(),
      ordering: policy.ordering.optional(),
    })
    .strict(),
  distinctHeaderNames,
);
export type CreateWebhookRequest = z.infer<typeof CreateWebhookSchema>;

export const UpdateWebhookSchema = documented(
  z
    .object({
      url: WebhookUrlSchema.optional(),
      events: events.optional(),
      description: description.optional(),
      enabled: z.boolean().optional(),
      rate_limit_per_second: policy.rate_limit_per_second.optional(),
      max_in_flight: policy.max_in_flight.optional(),
      timeout_ms: policy.timeout_ms.optional(),
      retry_schedule: policy.retry_schedule.optional(),
      /** Replaces every custom header (null removes them). */
      headers: policy.headers.optional(),
      ordering: policy.ordering.optional(),
    })
    .strict(),
  distinctHeaderNames,
);
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookSchema>;

export const WebhookIdSchema = z.string().regex(/^whe_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a webhook id');
export const DeliveryIdSchema = z.string().regex(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a delivery id');

export const ListWebhooksQuerySchema = z.object(pageQueryFields).strict();
export type ListWebhooksQuery = z.infer<typeof ListWebhooksQuerySchema>;

/** `skipped`: the event arrived while the endpoint was disabled; `recover` sends it. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ListDeliveriesQuerySchema = z
  .object({ ...pageQueryFields, status: z.enum(DELIVERY_STATUSES).optional(), event_type: z.string().max(100).optional() })
  .strict();
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuerySchema>;

/** `[since, until)`: deliveries created in it that `failed` or were `skipped` are sent again; `until` defaults to now. */
export const RecoverWebhookSchema = documented(
  z
    .object({ since: Instant, until: Instant.optional() })
    .strict()
    .superRefine((r, c) => {
      if (r.until !== undefined && Date.parse(r.until) <= Date.parse(r.since)) {
        c.addIssue({ code: z.ZodIssueCode.custom, path: ['until'], message: 'until must be after since' });
      }
    }),
  relations({ kind: 'after', field: 'until', than: 'since' }),
);
export type RecoverWebhookRequest = z.infer<typeof RecoverWebhookSchema>;

export const RecoveryIdSchema = z.string().regex(/^whr_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a recovery id');
export const RECOVERY_STATUSES = ['running', 'completed'] as const;
export type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];

/** The path of one delivery of an endpoint (`/v1/webhooks/:id/deliveries/:delivery_id`). */
const ByDelivery = z.object({ id: z.string(), delivery_id: z.string() });
/** The path of one recovery of an endpoint (`/v1/webhooks/:id/recoveries/:recovery_id`). */
const ByRecovery = z.object({ id: z.string(), recovery_id: z.string() });

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  /** Why the service disabled it (`gone`, `failing`), or null. */
  disabled_reason: string | null;
  /** Since when every attempt has failed, or null. */
  failing_since: string | null;
  /** Delivery policy; null = the service's default. */
  rate_limit_per_second: number | null;
  max_in_flight: number | null;
  timeout_ms: number | null;
  retry_schedule: string[] | null;
  /** Custom header names, each value shown as `[redacted]`. */
  headers: Record<string, string>;
  /** `per_contact`: one delivery at a time per contact, in event order; `none`: unordered. */
  ordering: WebhookOrdering;
  created_at: string;
  updated_at: string;
}

/** Creation and rotation answer with the secret, shown only then. */
export interface WebhookWithSecretView extends WebhookView {
  secret: string;
  /** Rotation: until when the previous secret keeps signing too. */
  previous_secret_expires_at?: string | null;
}

export interface DeliveryView {
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
  updated_at: string;
  delivered_at: string | null;
}

export interface DeliveryAttemptView {
  attempt: number;
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
}

export interface DeliveryDetailView extends DeliveryView {
  payload: WebhookPayload;
  attempts: DeliveryAttemptView[];
}

/** The body POSTed to subscribers. */
export interface WebhookPayload {
  id: string;
  type: string;
  created_at: string;
  data: unknown;
}

/** A background `recover` run and its progress. */
export interface RecoveryView {
  id: string;
  webhook_id: string;
  status: RecoveryStatus;
  since: string;
  until: string;
  /** Failed or skipped deliveries in the window when the recovery started. */
  total: number;
  /** Deliveries queued again so far. */
  recovered: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export const STATS_WINDOWS = ['1h', '24h', '7d'] as const;
export const WebhookStatsQuerySchema = z.object({ window: z.enum(STATS_WINDOWS).default('24h') }).strict();
export type WebhookStatsQuery = z.infer<typeof WebhookStatsQuerySchema>;

/** `GET /v1/webhooks/:id/stats`: the endpoint's deliveries over a window. */
export interface WebhookStatsView {
  window: (typeof STATS_WINDOWS)[number];
  /** Deliveries that succeeded in the window. */
  delivered: number;
  /** Deliveries that failed for good in the window. */
  failed: number;
  /** Deliveries waiting for their next attempt after a failed one (now). */
  retrying: number;
  /** delivered / (delivered + failed), or null when neither happened. */
  success_rate: number | null;
  /** Attempt latency percentiles in the window, or null without attempts. */
  p50_ms: number | null;
  p99_ms: number | null;
}

/** One entry of `GET /v1/event-types`. */
export interface EventTypeView {
  type: string;
  description: string;
  /** JSON Schema (draft-07) of the event's `data`. */
  schema: Record<string, unknown>;
  /** An example `data`. */
  example: unknown;
}

// Reply schemas: what the routes answer, as the OpenAPI document shows it (each checked against its view type).

const nullableTimestamp = Timestamp.nullable();

export const WebhookViewSchema = named(
  'Webhook',
  z.object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().describe('Why Sigil disabled the endpoint (`gone`, `failing`), or null.'),
    failing_since: nullableTimestamp.describe('Since when every attempt has failed, or null.'),
    rate_limit_per_second: z.number().int().nullable(),
    max_in_flight: z.number().int().nullable(),
    timeout_ms: z.number().int().nullable(),
    retry_schedule: z.array(z.string()).nullable(),
    headers: z.record(z.string()).describe('Custom header names; every value shows as `[redacted]`.'),
    ordering: z.enum(WEBHOOK_ORDERINGS),
    created_at: Timestamp,
    updated_at: Timestamp,
  }) satisfies z.ZodType<WebhookView>,
);

export const WebhookWithSecretViewSchema = named(
  'WebhookWithSecret',
  WebhookViewSchema.extend({
    secret: z.string().describe('The signing secret (`whsec_…`), shown only on creation and rotation.'),
    previous_secret_expires_at: nullableTimestamp.optional().describe('Rotation: until when the previous secret keeps signing too.'),
  }) satisfies z.ZodType<WebhookWithSecretView>,
);

export const DeliveryViewSchema = named(
  'Delivery',
  z.object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempt_count: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: nullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    delivered_at: nullableTimestamp,
  }) satisfies z.ZodType<DeliveryView>,
);

export const WebhookPayloadSchema = named(
  'WebhookPayload',
  z.object({ id: z.string(), type: z.string(), created_at: Timestamp, data: z.unknown() }) satisfies z.ZodType<AsInferred<WebhookPayload>>,
);

export const DeliveryDetailViewSchema = named(
  'DeliveryDetail',
  DeliveryViewSchema.extend({
    payload: WebhookPayloadSchema,
    attempts: z.array(
      named(
        'DeliveryAttempt',
        z.object({
          attempt: z.number().int(),
          attempted_at: Timestamp,
          status_code: z.number().int().nullable(),
          latency_ms: z.number(),
          response_body: z.string().nullable(),
          error: z.string().nullable(),
        }) satisfies z.ZodType<DeliveryAttemptView>,
      ),
    ),
  }) satisfies z.ZodType<AsInferred<DeliveryDetailView>>,
);

export const RecoveryViewSchema = named(
  'Recovery',
  z.object({
    id: z.string(),
    webhook_id: z.string(),
    status: z.enum(RECOVERY_STATUSES),
    since: Timestamp,
    until: Timestamp,
    total: z.number().int().describe('Failed or skipped deliveries in the window when the recovery started.'),
    recovered: z.number().int().describe('Deliveries queued again so far.'),
    created_at: Timestamp,
    updated_at: Timestamp,
    completed_at: nullableTimestamp,
  }) satisfies z.ZodType<RecoveryView>,
);

export const WebhookStatsViewSchema = named(
  'WebhookStats',
  z.object({
    window: z.enum(STATS_WINDOWS),
    delivered: z.number().int(),
    failed: z.number().int(),
    retrying: z.number().int(),
    success_rate: z.number().nullable(),
    p50_ms: z.number().nullable(),
    p99_ms: z.number().nullable(),
  }) satisfies z.ZodType<WebhookStatsView>,
);

export const EventTypeViewSchema = named(
  'EventType',
  z.object({
    type: z.string(),
    description: z.string(),
    schema: z.record(z.unknown()).describe("JSON Schema (draft-07) of the event's `data`."),
    example: z.unknown().describe('An example `data`.'),
  }) satisfies z.ZodType<AsInferred<EventTypeView>>,
);

// Request/reply definitions (one per pattern; see define-rpc.ts). A reply whose view holds `unknown` JSON is typed
// as that view (zod infers such a key as optional; the schema is checked against the view with `AsInferred`).

export const WebhookRpc = {
  create: defineRpc(WebhookPatterns.create, z.object({ body: CreateWebhookSchema }), WebhookWithSecretViewSchema),
  list: defineRpc(WebhookPatterns.list, z.object({ query: ListWebhooksQuerySchema }), z.array(WebhookViewSchema)),
  get: defineRpc(WebhookPatterns.get, z.object({ params: ByIdParams }), WebhookViewSchema),
  update: defineRpc(WebhookPatterns.update, z.object({ params: ByIdParams, body: UpdateWebhookSchema }), WebhookViewSchema),
  delete: defineRpc(WebhookPatterns.delete, z.object({ params: ByIdParams }), z.null()),
  rotateSecret: defineRpc(WebhookPatterns.rotateSecret, z.object({ params: ByIdParams }), WebhookWithSecretViewSchema),
  sendTest: defineRpc(WebhookPatterns.sendTest, z.object({ params: ByIdParams }), DeliveryViewSchema),
  listDeliveries: defineRpc(WebhookPatterns.listDeliveries, z.object({ params: ByIdParams, query: ListDeliveriesQuerySchema }), z.array(DeliveryViewSchema)),
  getDelivery: defineRpc(WebhookPatterns.getDelivery, z.object({ params: ByDelivery }), DeliveryDetailViewSchema as z.ZodType<DeliveryDetailView>),
  retryDelivery: defineRpc(WebhookPatterns.retryDelivery, z.object({ params: ByDelivery }), DeliveryViewSchema),
  recover: defineRpc(WebhookPatterns.recover, z.object({ params: ByIdParams, body: RecoverWebhookSchema }), RecoveryViewSchema),
  getRecovery: defineRpc(WebhookPatterns.getRecovery, z.object({ params: ByRecovery }), RecoveryViewSchema),
  eventTypes: defineRpc(WebhookPatterns.eventTypes, z.object({}), z.array(EventTypeViewSchema) as z.ZodType<EventTypeView[]>),
  stats: defineRpc(WebhookPatterns.stats, z.object({ params: ByIdParams, query: WebhookStatsQuerySchema }), WebhookStatsViewSchema),
} as const;
