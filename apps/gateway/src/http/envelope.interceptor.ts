/**
 * Wraps what a route returns in the success envelope:
 * `{data, meta: {request_id, …page}, links}`.
 */
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import type { PageMeta } from '@sigil/contracts';

export interface Envelope<T> {
  data: T;
  meta: { request_id: string } & Partial<PageMeta>;
  links: Record<string, string>;
}

/** What a route handler returns: data, and for lists the page. */
export interface RouteResult<T> {
  data: T;
  page?: PageMeta;
}

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

@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    // Probes (`/health/*`) answer bare; the public API (`/v1/*`) answers in the envelope.
    if (!req.url.startsWith('/v1/')) return next.handle();
    return next.handle().pipe(
      map((result: RouteResult<unknown> | undefined) => {
        if (result === undefined) return undefined; // 204
        const meta = { request_id: req.id, ...(result.page ?? {}) };
        return { data: result.data, meta, links: pageLinks(req.url, result.page) } satisfies Envelope<unknown>;
      }),
    );
  }
}
