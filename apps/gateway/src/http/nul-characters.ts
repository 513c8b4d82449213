/**
 * No NUL character (U+0000) gets past the gateway, in a URL or a JSON body:
 * PostgreSQL can store it in neither `text` nor `jsonb`, so every service
 * would fail the write with a 500 ("unsupported Unicode escape sequence").
 */
import type { FastifyInstance } from 'fastify';
import { ValidationFailed } from '@sigil/platform';

/** True when any string or key in a parsed JSON value holds U+0000. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}

export function nulInBody(): ValidationFailed {
  return new ValidationFailed([{ field: '(body)', code: 'invalid', message: 'Strings may not contain the NUL character (\\u0000).' }]);
}

export function installNulGuard(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    if (!req.url.includes('%00')) return done();
    done(new ValidationFailed([{ field: '(url)', code: 'invalid', message: 'The URL may not contain the NUL character (%00).' }]));
  });
}
