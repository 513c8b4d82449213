/**
 * Applies idempotency keys to authenticated POSTs: claims the key before the
 * route runs, or answers a completed duplicate with its stored response — as
 * a normal return, not an exception (the route and the envelope are skipped;
 * the onSend hook in idempotency.hooks sends the stored bytes). The key also
 * travels to the services in the request context (the platform's idempotency
 * ledger).
 */
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { of, type Observable } from 'rxjs';
import { IdempotencyStore, type IdempotencyClaim, type StoredResponse } from './idempotency.store';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: IdempotencyClaim;
    /** Set when the request is answered with a stored response. */
    idempotentReplay?: StoredResponse;
  }
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.method !== 'POST') return next.handle();
    const key = req.headers['idempotency-key'];
    if (key === undefined || !req.sigilContext) return next.handle();
    const value = Array.isArray(key) ? key.join(',') : key;
    const fingerprint = IdempotencyStore.fingerprint(req.method, req.url, req.body);
    const result = await this.store.claim(req.sigilContext, value, fingerprint);
    if (result.kind === 'replay') {
      req.idempotentReplay = result.stored;
      return of(result.stored.body);
    }
    req.idempotencyClaim = result.claim;
    // Services record the key with their write: a retry after a lost reply (504, a gateway crash) never writes twice.
    req.sigilContext.idempotency = { key: result.claim.keyHash, fingerprint };
    return next.handle();
  }
}
