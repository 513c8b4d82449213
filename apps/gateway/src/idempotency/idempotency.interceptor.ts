/**
 * Applies idempotency keys to authenticated POSTs; the outcome is stored by
 * the onSend hook (see http-setup), and the key travels to the services in
 * the request context (see the platform's idempotency ledger).
 */
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { IdempotencyStore, type IdempotencyClaim } from './idempotency.store';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: IdempotencyClaim;
  }
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || key === undefined || !req.sigilContext) return next.handle();
    const value = Array.isArray(key) ? key.join(',') : key;
    const fingerprint = IdempotencyStore.fingerprint(req.method, req.url, req.body);
    const claim = await this.store.claim(req.sigilContext, value, fingerprint);
    req.idempotencyClaim = claim;
    // Services record the key with their write: a retry after a lost reply (504, a gateway crash) never writes twice.
    req.sigilContext.idempotency = { key: claim.keyHash, fingerprint };
    return next.handle();
  }
}
