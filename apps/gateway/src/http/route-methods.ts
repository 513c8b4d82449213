/**
 * Which methods each path serves, recorded from Fastify's `onRoute` as routes
 * are registered (Nest controllers and anything else, e.g. static files), so a
 * request for a known path with a method it does not declare is answered 405
 * `method_not_allowed` with an `Allow` header (SPEC §10), and only an unknown
 * path is a 404. Consulted only on the not-found path, never per request.
 */
import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

@Injectable()
export class RouteMethods {
  private readonly byUrl = new Map<string, PathMethods>();

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => this.add(route.method, route.url ?? route.path));
  }

  add(method: string | string[], url: string): void {
    let entry = this.byUrl.get(url);
    if (!entry) {
      entry = { pattern: compile(url), methods: new Set() };
      this.byUrl.set(url, entry);
    }
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
  }

  /** The methods served at this request URL (query ignored), sorted; empty for an unknown path. */
  allowed(url: string): string[] {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const methods = new Set<string>();
    for (const entry of this.byUrl.values()) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
    return [...methods].sort();
  }
}

/** `/v1/contacts/:id` → `^/v1/contacts/[^/]+$`; `*` matches the rest. */
function compile(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) return '[^/]+';
      if (part === '*') return '.*';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
