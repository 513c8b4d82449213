/**
 * Request/reply patterns and payloads of the webhooks service (SPEC §7):
 * endpoints, their secrets, deliveries and attempts; the event-filter
 * language; and the BullMQ queue name (namespaced like Kafka names, so
 * parallel stacks never share a queue).
 */
import { z } from 'zod';
import { SUBSCRIBABLE_EVENT_TYPES } from './event-catalogue';
import { INTERNAL_EVENT_TYPES, type EventType } from './events';
import { ByIdParams, defineRpc, replyOf } from './define-rpc';
import { KAFKA_NAMESPACE, qualify } from './naming';

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
} as const satisfies Record<string, string>;

/** BullMQ queue of webhook deliveries of this stack (BullMQ forbids `:` in names). */
export const WEBHOOK_DELIVERY_QUEUE = qualify('webhooks.deliveries');
/** Redis key prefix of this stack's BullMQ queues. */
export const WEBHOOK_QUEUE_PREFIX = `bull.${KAFKA_NAMESPACE}`;

/** Event types a webhook can subscribe to: the catalogue's (every domain event but the internal ones and `webhook.test`, sent only on request). */
const SUBSCRIBABLE: readonly string[] = SUBSCRIBABLE_EVENT_TYPES;
const PREFIXES = new Set(SUBSCRIBABLE.map((t) => t.split('.')[0]!));

/** `*`, `<family>.*` (e.g. `contact.*`) or an exact event type. */
export const EventFilterSchema = z
  .string()
  .trim()
  .refine(
    (f) => f === '*' || (f.endsWith('.*') && PREFIXES.has(f.slice(0, -2))) || SUBSCRIBABLE.includes(f),
    (f) => ({ message: `unknown event filter '${f}': use '*', '<family>.*' or one of ${SUBSCRIBABLE.join(', ')}` }),
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

function parsedUrl(u: string): URL | undefined {
  try {
    return new URL(u);
  } catch {
    return undefined; // reported once, by .url()
  }
}

export const WebhookUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .url()
  .refine((u) => !parsedUrl(u) || /^https?:$/.test(parsedUrl(u)!.protocol), 'expected an https:// URL')
  .refine((u) => !parsedUrl(u)?.username && !parsedUrl(u)?.password, 'credentials in the URL are not allowed');

const events = z
  .array(EventFilterSchema)
  .min(1)
  .max(50)
  .transform((e) => [...new Set(e)]);
const description = z.string().trim().max(500).nullable();

export const CreateWebhookSchema = z
  .object({ url: WebhookUrlSchema, events, description: description.optional(), enabled: z.boolean().optional() })
  .strict();
export type CreateWebhookRequest = z.infer<typeof CreateWebhookSchema>;

export const UpdateWebhookSchema = z
  .object({ url: WebhookUrlSchema.optional(), events: events.optional(), description: description.optional(), enabled: z.boolean().optional() })
  .strict();
export type UpdateWebhookRequest = z.infer<typeof UpdateWebhookSchema>;

export const WebhookIdSchema = z.string().regex(/^whe_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a webhook id');
export const DeliveryIdSchema = z.string().regex(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/, 'not a delivery id');

const pageFields = {
  page: z.coerce.number().int().min(1).max(100000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
};
export const ListWebhooksQuerySchema = z.object(pageFields).strict();
export type ListWebhooksQuery = z.infer<typeof ListWebhooksQuerySchema>;

/** `skipped`: the event arrived while the endpoint was disabled; `recover` sends it. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const ListDeliveriesQuerySchema = z
  .object({ ...pageFields, status: z.enum(DELIVERY_STATUSES).optional(), event_type: z.string().max(100).optional() })
  .strict();
export type ListDeliveriesQuery = z.infer<typeof ListDeliveriesQuerySchema>;

const instant = z.string().datetime({ offset: true });
/** `[since, until)`: deliveries created in it that `failed` or were `skipped` are sent again; `until` defaults to now. */
export const RecoverWebhookSchema = z
  .object({ since: instant, until: instant.optional() })
  .strict()
  .superRefine((r, c) => {
    if (r.until !== undefined && Date.parse(r.until) <= Date.parse(r.since)) {
      c.addIssue({ code: z.ZodIssueCode.custom, path: ['until'], message: 'until must be after since' });
    }
  });
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

/** One entry of `GET /v1/event-types`. */
export interface EventTypeView {
  type: string;
  description: string;
  /** JSON Schema (draft-07) of the event's `data`. */
  schema: Record<string, unknown>;
  /** An example `data`. */
  example: unknown;
}

// Request/reply definitions (one per pattern; see define-rpc.ts)

export const WebhookRpc = {
  create: defineRpc(WebhookPatterns.create, z.object({ body: CreateWebhookSchema }), replyOf<WebhookWithSecretView>()),
  list: defineRpc(WebhookPatterns.list, z.object({ query: ListWebhooksQuerySchema }), replyOf<WebhookView[]>()),
  get: defineRpc(WebhookPatterns.get, z.object({ params: ByIdParams }), replyOf<WebhookView>()),
  update: defineRpc(WebhookPatterns.update, z.object({ params: ByIdParams, body: UpdateWebhookSchema }), replyOf<WebhookView>()),
  delete: defineRpc(WebhookPatterns.delete, z.object({ params: ByIdParams }), replyOf<null>()),
  rotateSecret: defineRpc(WebhookPatterns.rotateSecret, z.object({ params: ByIdParams }), replyOf<WebhookWithSecretView>()),
  sendTest: defineRpc(WebhookPatterns.sendTest, z.object({ params: ByIdParams }), replyOf<DeliveryView>()),
  listDeliveries: defineRpc(WebhookPatterns.listDeliveries, z.object({ params: ByIdParams, query: ListDeliveriesQuerySchema }), replyOf<DeliveryView[]>()),
  getDelivery: defineRpc(WebhookPatterns.getDelivery, z.object({ params: ByDelivery }), replyOf<DeliveryDetailView>()),
  retryDelivery: defineRpc(WebhookPatterns.retryDelivery, z.object({ params: ByDelivery }), replyOf<DeliveryView>()),
  recover: defineRpc(WebhookPatterns.recover, z.object({ params: ByIdParams, body: RecoverWebhookSchema }), replyOf<RecoveryView>()),
  getRecovery: defineRpc(WebhookPatterns.getRecovery, z.object({ params: ByRecovery }), replyOf<RecoveryView>()),
  eventTypes: defineRpc(WebhookPatterns.eventTypes, z.object({}), replyOf<EventTypeView[]>()),
} as const;
