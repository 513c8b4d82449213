/**
 * Idempotency keys (SPEC §2): the first response to a POST with an
 * `Idempotency-Key` is stored for 24 h per tenant, mode and key and replayed
 * byte for byte; the same key with a different request is refused (422); a
 * duplicate while the first is in flight gets 409. The in-flight claim
 * expires on its own if a gateway dies mid-request, and a server error
 * releases it: the retry then reaches the service, whose ledger knows
 * whether the write was done (idempotency-ledger.ts in the platform).
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { KAFKA_NAMESPACE, type RequestContext } from '@sigil/contracts';
import { DomainError, REDIS, ValidationFailed } from '@sigil/platform';

export const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DONE_TTL_SECONDS = 24 * 3600;
const IN_FLIGHT_TTL_SECONDS = 120;

export interface StoredResponse {
  state: 'done';
  fingerprint: string;
  status: number;
  content_type: string;
  body: string;
}

interface InFlight {
  state: 'in_flight';
  fingerprint: string;
}

export interface IdempotencyClaim {
  redisKey: string;
  /** SHA-256 of the key: what services record it under. */
  keyHash: string;
  fingerprint: string;
}

/** A claim's outcome: the key is this request's now, or a completed request's response is replayed. */
export type ClaimResult = { kind: 'claimed'; claim: IdempotencyClaim } | { kind: 'replay'; stored: StoredResponse };

function inFlight409(): DomainError {
  return new DomainError(409, 'idempotency_key_in_flight', 'A request with this Idempotency-Key is still being processed.');
}

@Injectable()
export class IdempotencyStore {
  constructor(@Inject(REDIS) private readonly redis: Redis | Cluster) {}

  static fingerprint(method: string, url: string, body: unknown): string {
    return createHash('sha256')
      .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
      .digest('hex');
  }

  static keyHash(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  /**
   * Claims the key for this request, or returns the stored response to replay
   * (a replay is an answer, not an error); throws 400 (malformed key), 409
   * (still in flight) or 422 (the key was used for another request).
   */
  async claim(ctx: RequestContext, key: string, fingerprint: string): Promise<ClaimResult> {
    if (!KEY_PATTERN.test(key)) {
      throw new ValidationFailed([{ field: 'Idempotency-Key', code: 'invalid', message: 'Use 1–255 visible ASCII characters.' }]);
    }
    const keyHash = IdempotencyStore.keyHash(key);
    const redisKey = `${KAFKA_NAMESPACE}:idem:${ctx.tenant_id}:${ctx.mode}:${keyHash}`;
    const marker = JSON.stringify({ state: 'in_flight', fingerprint } satisfies InFlight);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.redis.set(redisKey, marker, 'EX', IN_FLIGHT_TTL_SECONDS, 'NX')) return { kind: 'claimed', claim: { redisKey, keyHash, fingerprint } };
      const raw = await this.redis.get(redisKey);
      if (!raw) continue; // expired between the two calls: claim again
      const existing = JSON.parse(raw) as InFlight | StoredResponse;
      if (existing.fingerprint !== fingerprint) {
        throw new DomainError(422, 'idempotency_key_reuse', 'This Idempotency-Key was already used with a different request.');
      }
      if (existing.state === 'in_flight') throw inFlight409();
      return { kind: 'replay', stored: existing };
    }
    throw inFlight409();
  }

  /**
   * Stores the outcome. Server errors, invalid requests and a service's "still
   * in flight" (its ledger has the key, the reply is not there yet) release the
   * key so the client can retry; everything else is kept and replayed.
   */
  async complete(claim: IdempotencyClaim, status: number, contentType: string, body: string): Promise<void> {
    if (status >= 500 || status === 400 || status === 429 || (status === 409 && errorCode(body) === 'idempotency_key_in_flight')) {
      await this.redis.del(claim.redisKey);
      return;
    }
    const stored: StoredResponse = { state: 'done', fingerprint: claim.fingerprint, status, content_type: contentType, body };
    await this.redis.set(claim.redisKey, JSON.stringify(stored), 'EX', DONE_TTL_SECONDS);
  }
}

function errorCode(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
