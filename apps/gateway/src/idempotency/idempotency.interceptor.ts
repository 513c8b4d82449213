/**
 * Applies idempotency keys to authenticated POSTs: claims the key before the
 * route runs, or answers a completed duplicate with its stored response — as
 * a normal return, not an exception (the route and the envelope are skipped;
 * the onSend hook in idempotency.hooks sends the stored bytes). The key also
 * travels to the services in the request context (the platform's idempotency
 * ledger).
 *
 * It is a per-route interceptor on POST routes only (applyIdempotencyToPosts),
 * not a global one: every other route runs with no Nest interceptor at all.
 */
import { Injectable, RequestMethod, type CallHandler, type ExecutionContext, type NestInterceptor, type Type } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import { of, type Observable } from 'rxjs';
import { requestContextOf } from '../auth/request-context';
import { IdempotencyStore, type IdempotencyClaim, type StoredResponse } from './idempotency.store';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: IdempotencyClaim;
    /** Set when the request is answered with a stored response. */
    idempotentReplay?: StoredResponse;
  }
}

/**
 * What a request is compared on when its key comes back: method, URL and body.
 * A multipart body (an import upload) is streamed by its route, so it is not
 * read yet: its media type and length stand for it (not the boundary, which a
 * client draws anew on a retry). The same upload retried replays; the same key
 * with no body, another media type or another length is a 422.
 */
export function requestFingerprint(req: Pick<FastifyRequest, 'method' | 'url' | 'body' | 'headers'>): string {
  const mediaType = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const streamed = req.body === undefined && mediaType.startsWith('multipart/');
  const body = streamed ? { streamed: mediaType, bytes: req.headers['content-length'] ?? null } : req.body;
  return IdempotencyStore.fingerprint(req.method, req.url, body);
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const replay = await this.claim(context.switchToHttp().getRequest<FastifyRequest>());
    return replay ? of(replay.body) : next.handle();
  }

  /**
   * Claims the request's key (the route then runs), or returns the stored
   * response of a completed duplicate (the route does not run; its body is
   * sent as the answer and the onSend hook replays it as stored). The route
   * pipeline (http/route-pipeline.ts) calls this for POST routes; `intercept`
   * is the same for anything Nest runs itself.
   */
  async claim(req: FastifyRequest): Promise<StoredResponse | undefined> {
    if (req.method !== 'POST') return undefined;
    const key = req.headers['idempotency-key'];
    if (key === undefined || (!req.sigilContext && !req.sigilCaller)) return undefined;
    const ctx = requestContextOf(req);
    const value = Array.isArray(key) ? key.join(',') : key;
    const fingerprint = requestFingerprint(req);
    const result = await this.store.claim(ctx, value, fingerprint);
    if (result.kind === 'replay') {
      req.idempotentReplay = result.stored;
      return result.stored;
    }
    req.idempotencyClaim = result.claim;
    // Services record the key with their write: a retry after a lost reply (504, a gateway crash) never writes twice.
    ctx.idempotency = { key: result.claim.keyHash, fingerprint };
    return undefined;
  }
}

/**
 * Puts IdempotencyInterceptor on every POST handler of these controllers, as
 * `@UseInterceptors` on the method would (so a new POST route cannot forget
 * it). Runs before Nest scans the module; applying it twice is a no-op.
 */
export function applyIdempotencyToPosts(controllers: Type[]): void {
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST) continue;
      const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
      if (interceptors.includes(IdempotencyInterceptor)) continue;
      Reflect.defineMetadata(INTERCEPTORS_METADATA, [IdempotencyInterceptor, ...interceptors], handler);
    }
  }
}
