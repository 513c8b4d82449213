/**
 * Who is calling (SPEC §3, §10): every credential the request presents must
 * be valid — an invalid `X-API-Key` beside a valid `Authorization`, or the
 * reverse, is a 401. Seed 002's combination (a session JWT in `Authorization`
 * and an API key in `X-API-Key`) is accepted only when both are valid and of
 * the same tenant; the request then acts as the API key (its scopes, mode and
 * limits), with the user known. The credential alone decides tenant and mode.
 *
 * `authenticateFromMemory` makes the same decisions without any I/O when
 * every presented credential is known here (a key in the credential cache's
 * memory; a JWT is always checked locally), and answers `undefined` when one
 * has to be looked up: the caller then takes `authenticate`.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { VerifiedApiKey } from '@sigil/contracts';
import { looksLikeApiKey, Unauthenticated, verifyAccessToken, type VerifiedClaims } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ApiKeyVerifier } from './api-key.verifier';
import type { PresentedCredentials } from './credentials';
import type { Caller } from './request-context';

@Injectable()
export class Authenticator {
  constructor(
    private readonly verifier: ApiKeyVerifier,
    @Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'JWT_SECRET'>,
  ) {}

  async authenticate(presented: PresentedCredentials, requestId: string, now = Date.now()): Promise<Caller> {
    const { bearer, apiKey } = presented;
    if (bearer === undefined && !apiKey) {
      throw new Unauthenticated('missing_api_key', 'No API key provided. Send `Authorization: Bearer <key>` or `X-API-Key: <key>`.');
    }
    if (bearer === undefined) return { kind: 'api_key', key: await this.verifier.verify(apiKey!, requestId, now) };
    if (looksLikeApiKey(bearer)) {
      const key = await this.verifier.verify(bearer, requestId, now);
      if (apiKey !== undefined && apiKey !== bearer) {
        // Both are checked (an invalid one answers with its own code), and two different keys are never guessed between.
        await this.verifier.verify(apiKey, requestId, now);
        throw new Unauthenticated('invalid_api_key', 'Authorization and X-API-Key carry different API keys; send one.');
      }
      return { kind: 'api_key', key };
    }
    const claims = this.verifyToken(bearer, now);
    if (apiKey === undefined) return { kind: 'user', claims };
    return { kind: 'api_key', key: sameTenant(await this.verifier.verify(apiKey, requestId, now), claims), user: claims };
  }

  /** `authenticate` when no lookup is needed: the caller, a refusal thrown, or undefined (a key not in memory). */
  authenticateFromMemory(presented: PresentedCredentials, now = Date.now()): Caller | undefined {
    const { bearer, apiKey } = presented;
    if (bearer === undefined && !apiKey) {
      throw new Unauthenticated('missing_api_key', 'No API key provided. Send `Authorization: Bearer <key>` or `X-API-Key: <key>`.');
    }
    if (bearer === undefined) {
      const key = this.verifier.verifyFromMemory(apiKey!, now);
      return key && { kind: 'api_key', key };
    }
    if (looksLikeApiKey(bearer)) {
      // Two different keys: both must be checked, which may need a lookup; rare enough for the full path.
      if (apiKey !== undefined && apiKey !== bearer) return undefined;
      const key = this.verifier.verifyFromMemory(bearer, now);
      return key && { kind: 'api_key', key };
    }
    const claims = this.verifyToken(bearer, now);
    if (apiKey === undefined) return { kind: 'user', claims };
    const key = this.verifier.verifyFromMemory(apiKey, now);
    return key && { kind: 'api_key', key: sameTenant(key, claims), user: claims };
  }

  private verifyToken(token: string, now: number): VerifiedClaims {
    const claims = verifyAccessToken(token, this.config.JWT_SECRET, now);
    if (!claims) throw new Unauthenticated('invalid_token', 'The access token is invalid or expired.');
    return claims;
  }
}

function sameTenant(key: VerifiedApiKey, claims: VerifiedClaims): VerifiedApiKey {
  if (key.tenant.id !== claims.tid) {
    throw new Unauthenticated('invalid_api_key', 'The API key in X-API-Key belongs to another account than the session in Authorization.');
  }
  return key;
}
