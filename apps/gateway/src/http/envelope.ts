/**
 * The success envelope `{data, meta: {request_id, …page}, links}` around what
 * a route returns, applied by a Fastify hook (installEnvelopeHook).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PageMeta } from '@sigil/contracts';
import { isErrorEnvelope } from './error-envelope';

export interface Envelope<T> {
  data: T;
  meta: { request_id: string } & Partial<PageMeta>;
  links: Record<string, string>;
}

/** What a route handler returns: data, and for lists the page. */
export interface RouteResult<T> {
  data: T | JsonText<T>;
  page?: PageMeta;
}

/**
 * A route's `data` already serialized: a route that answers the same document
 * over and over (`GET /v1/me`, from the cached credential) keeps its JSON and
 * the envelope is built around the text, with no `JSON.stringify` of it per
 * request. `T` is what the text holds (for the route's type).
 */
export class JsonText<T = unknown> {
  declare private readonly holds?: T;
  constructor(readonly json: string) {}
}

const asIs = (payload: unknown) => payload as string;

export function pageLinks(url: string, page: PageMeta | undefined): Record<string, string> {
  const links: Record<string, string> = { self: url };
  if (!page) return links;
  const base = new URL(url, 'http://localhost');
  if (page.has_more && page.next_cursor) {
    base.searchParams.delete('page');
    base.searchParams.set('cursor', page.next_cursor);
    links['next'] = base.pathname + base.search;
  }
  if (page.prev_cursor) {
    const prev = new URL(url, 'http://localhost');
    prev.searchParams.delete('page');
    prev.searchParams.set('cursor', page.prev_cursor);
    links['prev'] = prev.pathname + prev.search;
  }
  return links;
}

/**
 * The envelope as a Fastify `preSerialization` hook rather than a Nest
 * interceptor: a route with no interceptor skips Nest's interceptor chain
 * (rxjs, and an `AsyncResource.bind` per interceptor per request on Node 20).
 * It wraps what a `/v1/*` route handler returned; probes (`/health/*`) answer
 * bare, and error envelopes (ErrorEnvelopeFilter, framework errors) pass
 * through. Strings (`/v1/openapi.json`, idempotent replays), buffers, streams,
 * `undefined` (204) and hijacked replies (exports) never reach this hook.
 * `data` given as `JsonText` goes into the body as it is.
 */
export function installEnvelopeHook(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void) => {
    if (!req.url.startsWith('/v1/') || payload === null || typeof payload !== 'object' || isErrorEnvelope(payload)) {
      done(null, payload);
      return;
    }
    const result = payload as RouteResult<unknown>;
    const meta = { request_id: req.id, ...(result.page ?? {}) };
    // `self` is where a GET fetches this document again: an action's URL (POST /v1/segments/preview) is not one.
    const links = req.method === 'GET' || req.method === 'HEAD' ? pageLinks(req.url, result.page) : {};
    if (result.data instanceof JsonText) {
      // The text is the body: this reply's serializer passes it on as it is (the content type is JSON already).
      void reply.serializer(asIs);
      done(null, `{"data":${result.data.json},"meta":${JSON.stringify(meta)},"links":${JSON.stringify(links)}}`);
      return;
    }
    done(null, { data: result.data, meta, links } satisfies Envelope<unknown>);
  });
}
