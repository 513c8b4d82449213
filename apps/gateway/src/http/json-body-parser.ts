/**
 * The gateway's JSON body parser: Fastify's own (which refuses `__proto__`
 * and `constructor.prototype` keys) behind two checks it lacks. The bytes
 * must be valid UTF-8 — Fastify would silently turn bad bytes into U+FFFD
 * and store them. And nesting may not exceed MAX_JSON_DEPTH: deeper bodies
 * overflow the stack of recursive code downstream (validation refinements,
 * the Kafka serializer) and came back as 500s. Strings holding U+0000 are
 * refused too (see nul-characters.ts). The one exception is the secret
 * scanning partner endpoint, whose raw bytes are signed.
 */
import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '@sigil/platform';
import { SECRET_SCANNING_VERIFY_PATH } from '../secret-scanning/github-signature';
import { containsNul, nulInBody } from './nul-characters';

/** Far beyond any legitimate body (segment rules stop at 10 levels). */
export const MAX_JSON_DEPTH = 64;

/** True when arrays/objects nest deeper than `max`; brackets inside strings do not count. */
export function jsonNestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Nest registers its own JSON parser when the app initialises, unless its
 * parsers are registered already: register them now, then replace the JSON one.
 */
export function installJsonBodyParser(app: NestFastifyApplication): void {
  (app.getHttpAdapter() as FastifyAdapter).registerParserMiddleware();
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const parse = fastify.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    // A signed body is verified byte for byte before it is parsed (the route parses it itself).
    if (req.method === 'POST' && req.url.split('?')[0] === SECRET_SCANNING_VERIFY_PATH) {
      done(null, body);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new DomainError(400, 'invalid_json', 'The request body is not valid UTF-8.'), undefined);
      return;
    }
    if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
      done(new DomainError(400, 'invalid_json', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      return;
    }
    parse(req, text, (err, value) => {
      if (!err && containsNul(value)) return done(nulInBody(), undefined);
      done(err, value);
    });
  });
}
