/**
 * `application/x-www-form-urlencoded` bodies, for the one route that must take
 * them: RFC 8058 one-click unsubscribe, where a mail client POSTs
 * `List-Unsubscribe=One-Click` form-encoded to the URL of the message's
 * `List-Unsubscribe` header. Every other route keeps answering a form body
 * with 415, as it does any content type but JSON. Fields become a plain
 * object of strings (own properties only, so `__proto__` is just an unknown
 * field); a field sent twice is a 400, never silently one of the two.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError, ValidationFailed } from '@sigil/platform';
import { containsNul, nulInBody } from './nul-characters';

export const FORM_ROUTES = new Set(['/v1/subscriptions/unsubscribe']);

export function installFormBodies(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/x-www-form-urlencoded');
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    if (!FORM_ROUTES.has(req.routeOptions.url ?? '')) {
      done(new DomainError(415, 'unsupported_media_type', 'This API takes JSON request bodies: send them with `Content-Type: application/json`.'), undefined);
      return;
    }
    const fields = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (fields.has(key)) {
        done(new ValidationFailed([{ field: key, code: 'invalid', message: 'sent more than once' }]), undefined);
        return;
      }
      fields.set(key, value);
    }
    const parsed = Object.fromEntries(fields);
    if (containsNul(parsed)) return done(nulInBody(), undefined);
    done(null, parsed);
  });
}
