/**
 * Which methods each path serves, recorded from Fastify's `onRoute` as routes
 * are registered (Nest controllers and anything else, e.g. static files), so a
 * request for a known path with a method it does not declare is answered 405
 * `method_not_allowed` with an `Allow` header (SPEC §10), and only an unknown
 * path is a 404.
 *
 * A static path shadows the parametric routes it also matches, as in the
 * router: `/v1/contacts/batch` takes only what is declared for it (POST), so
 * `DELETE /v1/contacts/batch` is a 405 naming POST, not a request for a
 * contact called `batch`, and the `Allow` header names the methods the OpenAPI
 * document lists for that path.
 */
import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '@sigil/platform';

interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

@Injectable()
export class RouteMethods {
  private readonly byUrl = new Map<string, PathMethods>();

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => this.add(route.method, route.url ?? route.path));
    // Runs after routing and before any body is read, so an undeclared method is a 405 whatever its body
    // (Fastify itself would answer a body-less `QUERY` with 400 first). OPTIONS stays with the CORS hook.
    // Callback style, as every per-request hook of the gateway: an async hook costs a promise and a microtask turn per request.
    fastify.addHook('onRequest', (req, reply, done) => {
      const allow = req.method === 'OPTIONS' ? undefined : this.refused(req.method, req.url, req.is404);
      if (!allow) return done();
      void reply.header('allow', allow.join(', '));
      done(new DomainError(405, 'method_not_allowed', `${req.method} is not allowed here; this path takes ${allow.join(', ')}.`));
    });
  }

  add(method: string | string[], url: string): void {
    let entry = this.byUrl.get(url);
    if (!entry) {
      entry = { pattern: compile(url), methods: new Set() };
      this.byUrl.set(url, entry);
    }
    for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m.toUpperCase());
  }

  /**
   * The `Allow` list when `method` is not served at this URL although the path exists (a 405);
   * undefined when the request goes ahead (served, or an unknown path: a 404).
   */
  refused(method: string, url: string, matchedNoRoute: boolean): string[] | undefined {
    const path = pathOf(url);
    const own = this.byUrl.get(path);
    if (own && !path.includes(':') && !path.includes('*')) {
      return own.methods.has(method.toUpperCase()) ? undefined : [...own.methods].sort();
    }
    if (!matchedNoRoute) return undefined;
    const allow = this.allowed(path);
    return allow.length ? allow : undefined;
  }

  /** The methods served at this request URL (query ignored), sorted; empty for an unknown path. A static path answers for itself. */
  allowed(url: string): string[] {
    const path = pathOf(url);
    const own = this.byUrl.get(path);
    if (own && !path.includes(':') && !path.includes('*')) return [...own.methods].sort();
    const methods = new Set<string>();
    for (const entry of this.byUrl.values()) if (entry.pattern.test(path)) for (const m of entry.methods) methods.add(m);
    return [...methods].sort();
  }
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
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
