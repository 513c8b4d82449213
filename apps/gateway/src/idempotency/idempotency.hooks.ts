/**
 * The Fastify end of idempotency keys, where the response bytes exist: a
 * replay is sent exactly as stored (status, content type, body) with
 * `Idempotent-Replayed: true`; a claimed request's outcome is stored (or the
 * key released, see IdempotencyStore.complete) once its response is final.
 */
import type { FastifyInstance } from 'fastify';
import type { IdempotencyStore } from './idempotency.store';

export function installIdempotencyHooks(fastify: FastifyInstance, store: IdempotencyStore): void {
  // Callback style: the requests without a key (every GET) pass through without a promise or a microtask turn.
  fastify.addHook('onSend', (req, reply, payload, done) => {
    const replay = req.idempotentReplay;
    if (replay) {
      // Nest set the route's default status; the stored one wins (headers are written after onSend).
      void reply.code(replay.status).header('content-type', replay.content_type).header('idempotent-replayed', 'true');
      done(null, replay.body);
      return;
    }
    const claim = req.idempotencyClaim;
    if (!claim || typeof payload !== 'string') {
      done(null, payload);
      return;
    }
    store.complete(claim, reply.statusCode, String(reply.getHeader('content-type') ?? 'application/json'), payload).then(
      () => done(null, payload),
      (err: unknown) => done(err as Error),
    );
  });
}
