/**
 * Verifies an API key secret: format and checksum first (no lookup for a
 * malformed key), then memory, Redis, and only on a miss the keys service.
 * Returns the key, or throws the SPEC's 401 codes. `verifyFromMemory` is the
 * same check, synchronous, for a key in memory (the common case).
 */
import { Injectable } from '@nestjs/common';
import { KeyRpc, type RequestContext, type VerifiedApiKey } from '@sigil/contracts';
import { DomainError, hasApiKeyShape, hashSecret, parseApiKey, RpcClient, Unauthenticated } from '@sigil/platform';
import { CredentialCache } from './credential-cache';

const INVALID = () => new Unauthenticated('invalid_api_key', 'Invalid API key provided.');

/** A real key refused (revoked, expired): usage analytics count the 401 against it. */
export class RefusedApiKey extends Unauthenticated {
  constructor(
    code: 'revoked_api_key' | 'expired_api_key',
    message: string,
    readonly key: VerifiedApiKey,
  ) {
    super(code, message);
  }
}

@Injectable()
export class ApiKeyVerifier {
  /** Lookups that went to the keys service (cache misses); exposed for tests and metrics. */
  misses = 0;

  constructor(
    private readonly cache: CredentialCache,
    private readonly rpc: RpcClient,
  ) {}

  async verify(secret: string, requestId: string, now = Date.now()): Promise<VerifiedApiKey> {
    if (!parseApiKey(secret)) throw INVALID();
    const hash = hashSecret(secret);
    const cached = this.cache.getMemory(hash, now) ?? (await this.cache.getShared(hash));
    const key = cached?.key ?? (await this.lookup(hash, requestId));
    return this.check(key, now);
  }

  /** `verify` without I/O: the key when it is in memory and valid, a thrown refusal, or undefined when it has to be looked up. */
  verifyFromMemory(secret: string, now = Date.now()): VerifiedApiKey | undefined {
    if (!hasApiKeyShape(secret)) throw INVALID();
    const cached = this.cache.getMemory(hashSecret(secret), now);
    if (cached) return this.check(cached.key, now);
    // Only what `verify` looks up is ever cached, after its checksum passed: a key found needs no CRC
    // (a tenth of this check's cost per request, issue #13); one not found is refused here when malformed.
    if (!parseApiKey(secret)) throw INVALID();
    return undefined;
  }

  private async lookup(hash: string, requestId: string): Promise<VerifiedApiKey> {
    this.misses++;
    const fetchedAt = Date.now();
    const ctx: RequestContext = { tenant_id: 'system', mode: 'live', request_id: requestId };
    let key: VerifiedApiKey;
    try {
      ({ data: key } = await this.rpc.call(KeyRpc.verifyKey, ctx, { body: { secret_hash: hash } }));
    } catch (err) {
      if (err instanceof DomainError && err.status === 404) throw INVALID();
      throw err;
    }
    await this.cache.put(hash, { key, fetched_at: fetchedAt });
    return key;
  }

  private check(key: VerifiedApiKey, now: number): VerifiedApiKey {
    if (key.state === 'revoked') throw new RefusedApiKey('revoked_api_key', 'This API key has been revoked.', key);
    if (key.state === 'expired' || (key.expires_at && Date.parse(key.expires_at) <= now)) {
      throw new RefusedApiKey('expired_api_key', 'This API key has expired.', key);
    }
    return key;
  }
}
