/**
 * The hand-written facade of the SDK over the generated layer
 * (`generated/openapi.ts` from openapi-typescript, called through
 * openapi-fetch): `new Sigil({ apiKey, baseUrl })`, one namespace per
 * resource, methods named after the operations that return the envelope's
 * `data`, auto-paginating `list()` iterators, and typed errors.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi';
import { errorFor } from './errors';
import { abortableSleep, createTransport, type TransportOptions } from './transport';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = M extends keyof paths[P] ? paths[P][M] : never;
/** The JSON body an operation takes, as the document describes it. */
export type BodyOf<P extends keyof paths, M extends Method> = Op<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The JSON `options` part of a multipart upload operation. */
export type UploadOptionsOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody?: { content: { 'multipart/form-data': { options: infer O } } } } ? O : never;
/** The query parameters an operation takes. */
export type QueryOf<P extends keyof paths, M extends Method> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** The success answer (200, 201 or 202) of an operation's responses. */
type Success<R> = R extends { 200: infer S } ? S : R extends { 201: infer S } ? S : R extends { 202: infer S } ? S : never;
/** What an operation answers in the envelope's `data`, as the document types it (`components['schemas']`). */
export type DataOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R } ? (Success<R> extends { content: { 'application/json': { data: infer D } } } ? D : never) : never;
/** An item of a list operation's `data`. */
export type ItemOf<P extends keyof paths, M extends Method> = DataOf<P, M> extends (infer I)[] ? I : never;

/** Any object of the API (the envelope's `data`), where no operation is meant; each method returns its own type. */
export type SigilObject = Record<string, unknown>;
export type Resource = SigilObject & { id: string };

export interface ListMeta {
  request_id: string;
  page?: number;
  limit?: number;
  total?: number;
  has_more?: boolean;
  next_cursor?: string | null;
}

export interface Page<T> {
  data: T[];
  meta: ListMeta;
  links?: { self?: string; next?: string; prev?: string };
}

export interface RequestOptions {
  /** Sent on POSTs instead of the generated one (a retry from your side of the same operation). */
  idempotencyKey?: string;
  headers?: Record<string, string>;
  /** Aborts the call: the request in flight and any wait for a retry; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SigilOptions {
  /** An API key (`sg_live_…`, `sg_test_…`) or a session access token; or a function returning the current one. */
  apiKey: string | (() => string | Promise<string>);
  /** Where the API is served, e.g. `https://api.example.com` (no `/v1`). */
  baseUrl: string;
  /** Retries of 429/503 answers and lost connections (default 3). */
  maxRetries?: number;
  /** Longest `Retry-After` waited for before the error is returned (default 60 000 ms). */
  maxRetryDelayMs?: number;
  /** Per attempt (default 30 000 ms). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
}

interface Call {
  path?: Record<string, string>;
  query?: object;
  body?: unknown;
  text?: boolean;
  options?: RequestOptions;
}

// openapi-fetch's typed `request` is checked per literal path; the facade's
// methods are typed at their own signatures, so the shared sender calls it loosely.
type LooseRequest = (method: string, url: string, init: Record<string, unknown>) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/** Sends one operation and unwraps the envelope, or throws the typed error. */
export class Core {
  constructor(readonly raw: Client<paths>) {}

  async envelope<E>(method: Method, url: string, call: Call = {}): Promise<E> {
    const headers: Record<string, string> = { ...call.options?.headers };
    if (call.options?.idempotencyKey) headers['idempotency-key'] = call.options.idempotencyKey;
    const send = this.raw.request as unknown as LooseRequest;
    const { data, error, response } = await send(method.toUpperCase(), url, {
      params: { path: call.path, query: call.query },
      ...(call.body === undefined ? {} : { body: call.body }),
      headers,
      signal: call.options?.signal,
      parseAs: call.text ? 'text' : 'json',
    });
    if (!response.ok) throw errorFor(response.status, error, response.headers);
    return data as E;
  }

  async data<T>(method: Method, url: string, call: Call = {}): Promise<T> {
    const envelope = await this.envelope<{ data: T } | undefined>(method, url, call);
    return envelope?.data as T;
  }

  /** An auto-paginating iterator over a list operation (cursor when the server gives one, else pages). */
  list<T>(url: string, call: Call = {}): Paginator<T> {
    return new Paginator<T>((query) => this.envelope<Page<T>>('get', url, { ...call, query }), (call.query ?? {}) as Record<string, unknown>);
  }
}

export class Paginator<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: (query: Record<string, unknown>) => Promise<Page<T>>,
    private readonly query: Record<string, unknown>,
  ) {}

  /** Page after page, with each page's `meta` (total, has_more, next_cursor). */
  async *pages(): AsyncGenerator<Page<T>> {
    let query = { ...this.query };
    for (;;) {
      const page = await this.fetchPage(query);
      yield page;
      if (page.meta.next_cursor) {
        const { page: _page, ...rest } = query;
        query = { ...rest, cursor: page.meta.next_cursor };
      } else if (page.meta.has_more && page.data.length > 0 && query['cursor'] === undefined) {
        query = { ...query, page: (page.meta.page ?? Number(query['page'] ?? 1)) + 1 };
      } else {
        return;
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Collects up to `max` items (default: all). */
  async toArray(max = Infinity): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) {
      if (out.length >= max) break;
      out.push(item);
    }
    return out;
  }
}

const P = {
  contacts: '/v1/contacts',
  contact: '/v1/contacts/{id}',
  lists: '/v1/lists',
  list: '/v1/lists/{id}',
  segments: '/v1/segments',
  segment: '/v1/segments/{id}',
  webhooks: '/v1/webhooks',
  webhook: '/v1/webhooks/{id}',
  apiKeys: '/v1/api-keys',
  apiKey: '/v1/api-keys/{id}',
  fields: '/v1/custom-fields',
  field: '/v1/custom-fields/{key}',
} as const;

export class Contacts {
  constructor(private readonly core: Core) {}
  create(body: BodyOf<typeof P.contacts, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.contacts, 'post'>> {
    return this.core.data('post', P.contacts, { body, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<typeof P.contact, 'get'>> {
    return this.core.data('get', P.contact, { path: { id }, options });
  }
  /** The segments the contact is in now: `[{segment_id, name, since}]`. */
  segments(id: string, options?: RequestOptions): Promise<DataOf<'/v1/contacts/{id}/segments', 'get'>> {
    return this.core.data('get', '/v1/contacts/{id}/segments', { path: { id }, options });
  }
  update(id: string, body: BodyOf<typeof P.contact, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.contact, 'patch'>> {
    return this.core.data('patch', P.contact, { path: { id }, body, options });
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.contact, { path: { id }, options });
  }
  list(query: QueryOf<typeof P.contacts, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.contacts, 'get'>> {
    return this.core.list(P.contacts, { query, options });
  }
  /** Creates or updates (PATCH semantics) the contact with this `external_id`; the body is a create's (email required). */
  upsertByExternalId(externalId: string, body: BodyOf<'/v1/contacts/by-external-id/{external_id}', 'put'>, options?: RequestOptions): Promise<Resource> {
    return this.core.data('put', '/v1/contacts/by-external-id/{external_id}', { path: { external_id: externalId }, body, options });
  }
  /** Upserts up to 1 000 contacts by email; answers per row. */
  batch(body: { contacts: BodyOf<typeof P.contacts, 'post'>[] }, options?: RequestOptions): Promise<DataOf<'/v1/contacts/batch', 'post'>> {
    return this.core.data('post', '/v1/contacts/batch', { body, options });
  }
  addTags(id: string, tags: string[], options?: RequestOptions): Promise<DataOf<'/v1/contacts/{id}/tags', 'post'>> {
    return this.core.data('post', '/v1/contacts/{id}/tags', { path: { id }, body: { tags }, options });
  }
  removeTags(id: string, tags: string[], options?: RequestOptions): Promise<DataOf<'/v1/contacts/{id}/tags', 'delete'>> {
    return this.core.data('delete', '/v1/contacts/{id}/tags', { path: { id }, body: { tags }, options });
  }
  recordActivity(id: string, body: BodyOf<'/v1/contacts/{id}/activities', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/contacts/{id}/activities', 'post'>> {
    return this.core.data('post', '/v1/contacts/{id}/activities', { path: { id }, body, options });
  }
  listActivities(
    id: string,
    query: QueryOf<'/v1/contacts/{id}/activities', 'get'> = {},
    options?: RequestOptions,
  ): Paginator<ItemOf<'/v1/contacts/{id}/activities', 'get'>> {
    return this.core.list('/v1/contacts/{id}/activities', { path: { id }, query, options });
  }
}

export class CustomFields {
  constructor(private readonly core: Core) {}
  create(body: BodyOf<typeof P.fields, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.fields, 'post'>> {
    return this.core.data('post', P.fields, { body, options });
  }
  get(key: string, options?: RequestOptions): Promise<DataOf<typeof P.field, 'get'>> {
    return this.core.data('get', P.field, { path: { key }, options });
  }
  update(key: string, body: BodyOf<typeof P.field, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.field, 'patch'>> {
    return this.core.data('patch', P.field, { path: { key }, body, options });
  }
  delete(key: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.field, { path: { key }, options });
  }
  list(query: QueryOf<typeof P.fields, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.fields, 'get'>> {
    return this.core.list(P.fields, { query, options });
  }
  aggregate(
    key: string,
    query: QueryOf<'/v1/custom-fields/{key}/aggregate', 'get'> = {},
    options?: RequestOptions,
  ): Promise<DataOf<'/v1/custom-fields/{key}/aggregate', 'get'>> {
    return this.core.data('get', '/v1/custom-fields/{key}/aggregate', { path: { key }, query, options });
  }
}

export class Lists {
  constructor(private readonly core: Core) {}
  create(body: BodyOf<typeof P.lists, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.lists, 'post'>> {
    return this.core.data('post', P.lists, { body, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<typeof P.list, 'get'>> {
    return this.core.data('get', P.list, { path: { id }, options });
  }
  update(id: string, body: BodyOf<typeof P.list, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.list, 'patch'>> {
    return this.core.data('patch', P.list, { path: { id }, body, options });
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.list, { path: { id }, options });
  }
  list(query: QueryOf<typeof P.lists, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.lists, 'get'>> {
    return this.core.list(P.lists, { query, options });
  }
  addMembers(id: string, contactIds: string[], options?: RequestOptions): Promise<DataOf<'/v1/lists/{id}/members', 'post'>> {
    return this.core.data('post', '/v1/lists/{id}/members', { path: { id }, body: { contact_ids: contactIds }, options });
  }
  removeMembers(id: string, contactIds: string[], options?: RequestOptions): Promise<DataOf<'/v1/lists/{id}/members', 'delete'>> {
    return this.core.data('delete', '/v1/lists/{id}/members', { path: { id }, body: { contact_ids: contactIds }, options });
  }
  members(id: string, query: QueryOf<'/v1/lists/{id}/members', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/lists/{id}/members', 'get'>> {
    return this.core.list('/v1/lists/{id}/members', { path: { id }, query, options });
  }
  /** The list's members as CSV or NDJSON text. */
  export(id: string, query: QueryOf<'/v1/lists/{id}/export', 'get'> = {}, options?: RequestOptions): Promise<string> {
    return this.core.envelope('get', '/v1/lists/{id}/export', { path: { id }, query, options, text: true });
  }
}

export class Segments {
  constructor(private readonly core: Core) {}
  create(body: BodyOf<typeof P.segments, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.segments, 'post'>> {
    return this.core.data('post', P.segments, { body, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<typeof P.segment, 'get'>> {
    return this.core.data('get', P.segment, { path: { id }, options });
  }
  update(id: string, body: BodyOf<typeof P.segment, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.segment, 'patch'>> {
    return this.core.data('patch', P.segment, { path: { id }, body, options });
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.segment, { path: { id }, options });
  }
  list(query: QueryOf<typeof P.segments, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.segments, 'get'>> {
    return this.core.list(P.segments, { query, options });
  }
  preview(body: BodyOf<'/v1/segments/preview', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/segments/preview', 'post'>> {
    return this.core.data('post', '/v1/segments/preview', { body, options });
  }
  contacts(id: string, query: QueryOf<'/v1/segments/{id}/contacts', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/segments/{id}/contacts', 'get'>> {
    return this.core.list('/v1/segments/{id}/contacts', { path: { id }, query, options });
  }
  count(id: string, options?: RequestOptions): Promise<DataOf<'/v1/segments/{id}/count', 'get'>> {
    return this.core.data('get', '/v1/segments/{id}/count', { path: { id }, options });
  }
  /** Entries, exits and member count per UTC hour or day: `[{at, entered, exited, total}]`. */
  history(id: string, query: QueryOf<'/v1/segments/{id}/history', 'get'> = {}, options?: RequestOptions): Promise<DataOf<'/v1/segments/{id}/history', 'get'>> {
    return this.core.data('get', '/v1/segments/{id}/history', { path: { id }, query, options });
  }
  /** The segment's members when the export began, as CSV or NDJSON text. */
  export(id: string, query: QueryOf<'/v1/segments/{id}/export', 'get'> = {}, options?: RequestOptions): Promise<string> {
    return this.core.envelope('get', '/v1/segments/{id}/export', { path: { id }, query, options, text: true });
  }
}

export class Webhooks {
  constructor(private readonly core: Core) {}
  /** The answer carries the signing `secret`, shown this once. */
  create(body: BodyOf<typeof P.webhooks, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.webhooks, 'post'>> {
    return this.core.data('post', P.webhooks, { body, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<typeof P.webhook, 'get'>> {
    return this.core.data('get', P.webhook, { path: { id }, options });
  }
  update(id: string, body: BodyOf<typeof P.webhook, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.webhook, 'patch'>> {
    return this.core.data('patch', P.webhook, { path: { id }, body, options });
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.webhook, { path: { id }, options });
  }
  list(query: QueryOf<typeof P.webhooks, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.webhooks, 'get'>> {
    return this.core.list(P.webhooks, { query, options });
  }
  /** A new signing secret (in the answer, this once); the previous one keeps signing for 24 h. */
  rotateSecret(id: string, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/rotate-secret', 'post'>> {
    return this.core.data('post', '/v1/webhooks/{id}/rotate-secret', { path: { id }, options });
  }
  /** Sends a `webhook.test` event to the endpoint. */
  sendTest(id: string, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/test', 'post'>> {
    return this.core.data('post', '/v1/webhooks/{id}/test', { path: { id }, options });
  }
  deliveries(id: string, query: QueryOf<'/v1/webhooks/{id}/deliveries', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/webhooks/{id}/deliveries', 'get'>> {
    return this.core.list('/v1/webhooks/{id}/deliveries', { path: { id }, query, options });
  }
  getDelivery(id: string, deliveryId: string, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/deliveries/{delivery_id}', 'get'>> {
    return this.core.data('get', '/v1/webhooks/{id}/deliveries/{delivery_id}', { path: { id, delivery_id: deliveryId }, options });
  }
  retryDelivery(id: string, deliveryId: string, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/deliveries/{delivery_id}/retry', 'post'>> {
    return this.core.data('post', '/v1/webhooks/{id}/deliveries/{delivery_id}/retry', { path: { id, delivery_id: deliveryId }, options });
  }
  /** Re-sends, in the background, every failed or skipped delivery in `[since, until)`; answers with the recovery. */
  recover(id: string, body: BodyOf<'/v1/webhooks/{id}/recover', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/recover', 'post'>> {
    return this.core.data('post', '/v1/webhooks/{id}/recover', { path: { id }, body, options });
  }
  /** The event types an endpoint can subscribe to: description, JSON Schema of `data`, example. */
  eventTypes(options?: RequestOptions): Promise<DataOf<'/v1/event-types', 'get'>> {
    return this.core.data('get', '/v1/event-types', { options });
  }
  /** Delivered, failed and retrying deliveries, success rate and latency percentiles over a window (1h, 24h, 7d). */
  stats(id: string, query: QueryOf<'/v1/webhooks/{id}/stats', 'get'> = {}, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/stats', 'get'>> {
    return this.core.data('get', '/v1/webhooks/{id}/stats', { path: { id }, query, options });
  }
  /** A recovery's progress (`status`, `total`, `recovered`). */
  getRecovery(id: string, recoveryId: string, options?: RequestOptions): Promise<DataOf<'/v1/webhooks/{id}/recoveries/{recovery_id}', 'get'>> {
    return this.core.data('get', '/v1/webhooks/{id}/recoveries/{recovery_id}', { path: { id, recovery_id: recoveryId }, options });
  }
}

export class ApiKeys {
  constructor(private readonly core: Core) {}
  /** The answer carries the secret `key`, shown this once. */
  create(body: BodyOf<typeof P.apiKeys, 'post'>, options?: RequestOptions): Promise<DataOf<typeof P.apiKeys, 'post'>> {
    return this.core.data('post', P.apiKeys, { body, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<typeof P.apiKey, 'get'>> {
    return this.core.data('get', P.apiKey, { path: { id }, options });
  }
  update(id: string, body: BodyOf<typeof P.apiKey, 'patch'>, options?: RequestOptions): Promise<DataOf<typeof P.apiKey, 'patch'>> {
    return this.core.data('patch', P.apiKey, { path: { id }, body, options });
  }
  /** Revokes the key (it answers 401 `revoked_api_key` from then on). */
  revoke(id: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', P.apiKey, { path: { id }, options });
  }
  delete(id: string, options?: RequestOptions): Promise<void> {
    return this.revoke(id, options);
  }
  list(query: QueryOf<typeof P.apiKeys, 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<typeof P.apiKeys, 'get'>> {
    return this.core.list(P.apiKeys, { query, options });
  }
  /** A new secret; the old one keeps working for `grace_period_seconds`. */
  rotate(id: string, body: BodyOf<'/v1/api-keys/{id}/rotate', 'post'> = {}, options?: RequestOptions): Promise<DataOf<'/v1/api-keys/{id}/rotate', 'post'>> {
    return this.core.data('post', '/v1/api-keys/{id}/rotate', { path: { id }, body, options });
  }
}

export class Usage {
  constructor(private readonly core: Core) {}
  get(query: QueryOf<'/v1/usage', 'get'> = {}, options?: RequestOptions): Promise<DataOf<'/v1/usage', 'get'>> {
    return this.core.data('get', '/v1/usage', { query, options });
  }
}

/** The audit log (scope `audit:read`): changes and sign-ins, newest first; read-only. */
export class AuditLog {
  constructor(private readonly core: Core) {}
  list(query: QueryOf<'/v1/audit-log', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/audit-log', 'get'>> {
    return this.core.list('/v1/audit-log', { query, options });
  }
}

/** Sessions for dashboards (the console): sign-up, log-in, refresh, log-out. */
export class Auth {
  constructor(private readonly core: Core) {}
  signup(body: BodyOf<'/v1/auth/signup', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/auth/signup', 'post'>> {
    return this.core.data('post', '/v1/auth/signup', { body, options });
  }
  login(body: BodyOf<'/v1/auth/login', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/auth/login', 'post'>> {
    return this.core.data('post', '/v1/auth/login', { body, options });
  }
  refresh(body: BodyOf<'/v1/auth/refresh', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/auth/refresh', 'post'>> {
    return this.core.data('post', '/v1/auth/refresh', { body, options });
  }
  logout(body: BodyOf<'/v1/auth/logout', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/auth/logout', 'post'>> {
    return this.core.data('post', '/v1/auth/logout', { body, options });
  }
  /** The tenants the session's user belongs to (role, and which one the session is in). */
  tenants(options?: RequestOptions): Promise<DataOf<'/v1/auth/tenants', 'get'>> {
    return this.core.data('get', '/v1/auth/tenants', { options });
  }
  /** New session tokens in another tenant the user belongs to. */
  switch(body: BodyOf<'/v1/auth/switch', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/auth/switch', 'post'>> {
    return this.core.data('post', '/v1/auth/switch', { body, options });
  }
}

/** Members of the account and their roles, and invitations (live-mode credentials only). */
export class Members {
  constructor(private readonly core: Core) {}
  list(query: QueryOf<'/v1/members', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/members', 'get'>> {
    return this.core.list('/v1/members', { query, options });
  }
  /** `data.token` is the invitation, shown only in this answer. */
  invite(body: BodyOf<'/v1/members/invitations', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/members/invitations', 'post'>> {
    return this.core.data('post', '/v1/members/invitations', { body, options });
  }
  /** Pending invitations, newest first (without their tokens). */
  invitations(query: QueryOf<'/v1/members/invitations', 'get'> = {}, options?: RequestOptions): Paginator<ItemOf<'/v1/members/invitations', 'get'>> {
    return this.core.list('/v1/members/invitations', { query, options });
  }
  revokeInvitation(invitationId: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', '/v1/members/invitations/{invitation_id}', { path: { invitation_id: invitationId }, options });
  }
  /** Accepts an invitation (no credential needed: the token is one); returns session tokens. */
  accept(body: BodyOf<'/v1/members/invitations/accept', 'post'>, options?: RequestOptions): Promise<DataOf<'/v1/members/invitations/accept', 'post'>> {
    return this.core.data('post', '/v1/members/invitations/accept', { body, options });
  }
  update(userId: string, body: BodyOf<'/v1/members/{user_id}', 'patch'>, options?: RequestOptions): Promise<DataOf<'/v1/members/{user_id}', 'patch'>> {
    return this.core.data('patch', '/v1/members/{user_id}', { path: { user_id: userId }, body, options });
  }
  remove(userId: string, options?: RequestOptions): Promise<void> {
    return this.core.data('delete', '/v1/members/{user_id}', { path: { user_id: userId }, options });
  }
}

/** A file to upload: bytes, text, or a Blob/File (e.g. from `fs.openAsBlob(path)` in Node, which streams from disk). */
export type Upload = Blob | Uint8Array | string;

export class Imports {
  constructor(private readonly core: Core) {}
  /**
   * Starts an import job from a CSV (with a header row) or NDJSON file of at
   * most 200 MB: `options.mapping` says which column fills which contact
   * field. Answers at once (202) with the queued job; poll `get(id)`.
   */
  create(
    importOptions: UploadOptionsOf<'/v1/imports', 'post'>,
    file: Upload,
    filename = 'contacts.csv',
    options?: RequestOptions,
  ): Promise<DataOf<'/v1/imports', 'post'>> {
    const form = new FormData();
    // The options part must come before the file part: the server streams the file.
    form.append('options', JSON.stringify(importOptions));
    form.append('file', file instanceof Blob ? file : new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), filename);
    return this.core.data('post', '/v1/imports', { body: form, options });
  }
  get(id: string, options?: RequestOptions): Promise<DataOf<'/v1/imports/{id}', 'get'>> {
    return this.core.data('get', '/v1/imports/{id}', { path: { id }, options });
  }
  cancel(id: string, options?: RequestOptions): Promise<DataOf<'/v1/imports/{id}/cancel', 'post'>> {
    return this.core.data('post', '/v1/imports/{id}/cancel', { path: { id }, options });
  }
  /** The failed rows as CSV text: `row,code,reason,data`. */
  errors(id: string, options?: RequestOptions): Promise<string> {
    return this.core.envelope('get', '/v1/imports/{id}/errors', { path: { id }, options, text: true });
  }
}

/** The account's settings: `leaked_key_policy` (`revoke` or `notify`) for keys GitHub secret scanning finds in public. */
export class Settings {
  constructor(private readonly core: Core) {}
  get(options?: RequestOptions): Promise<DataOf<'/v1/settings', 'get'>> {
    return this.core.data('get', '/v1/settings', { options });
  }
  /** Needs scope `*` (owners, admins, full-access keys) and a live-mode credential. */
  update(body: BodyOf<'/v1/settings', 'patch'>, options?: RequestOptions): Promise<DataOf<'/v1/settings', 'patch'>> {
    return this.core.data('patch', '/v1/settings', { body, options });
  }
}

export class Sigil {
  /** The generated openapi-fetch client (typed by path), for anything the facade does not wrap. */
  readonly raw: Client<paths>;
  readonly contacts: Contacts;
  readonly customFields: CustomFields;
  readonly lists: Lists;
  readonly imports: Imports;
  readonly segments: Segments;
  readonly webhooks: Webhooks;
  readonly apiKeys: ApiKeys;
  readonly usage: Usage;
  readonly auditLog: AuditLog;
  readonly settings: Settings;
  readonly auth: Auth;
  readonly members: Members;
  private readonly core: Core;

  constructor(options: SigilOptions) {
    if (!options?.baseUrl) throw new TypeError('Sigil: baseUrl is required (e.g. https://api.example.com).');
    if (!options.apiKey) throw new TypeError('Sigil: apiKey is required.');
    const transport: TransportOptions = {
      apiKey: options.apiKey,
      maxRetries: options.maxRetries ?? 3,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
      sleep: abortableSleep,
    };
    this.raw = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: createTransport(transport) });
    this.core = new Core(this.raw);
    this.contacts = new Contacts(this.core);
    this.customFields = new CustomFields(this.core);
    this.lists = new Lists(this.core);
    this.imports = new Imports(this.core);
    this.segments = new Segments(this.core);
    this.webhooks = new Webhooks(this.core);
    this.apiKeys = new ApiKeys(this.core);
    this.usage = new Usage(this.core);
    this.auditLog = new AuditLog(this.core);
    this.settings = new Settings(this.core);
    this.auth = new Auth(this.core);
    this.members = new Members(this.core);
  }

  /** The caller: tenant, user or key, mode and scopes. */
  me(options?: RequestOptions): Promise<DataOf<'/v1/me', 'get'>> {
    return this.core.data('get', '/v1/me', { options });
  }
}
