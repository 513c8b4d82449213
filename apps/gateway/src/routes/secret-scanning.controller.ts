/**
 * `POST /v1/secret-scanning/verify`: GitHub secret scanning's partner
 * endpoint (SPEC §15, docs/secret-scanning.md). Public as far as tenant
 * credentials go: the credential is GitHub's ECDSA signature over the raw
 * body, checked against the configured public keys before anything else —
 * unsigned, forged or replayed reports are 401 and change nothing. Tokens
 * that are not well-formed Sigil keys are `false_positive` with no lookup;
 * the others go to the keys service as digests, which revokes or reports the
 * keys per tenant policy. The answer is GitHub's feedback array, bare (no
 * envelope). Without configured keys the route does not exist (404). Not in
 * the tenants' OpenAPI document nor the SDKs.
 */
import { Body, Controller, Header, HttpCode, Inject, Post, Req } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { KeyRpc, SYSTEM_ACTORS, type RequestContext } from '@sigil/contracts';
import { DomainError, Metrics, Public, RpcClient, Unauthenticated } from '@sigil/platform';
import { AuthFailureThrottle } from '../auth/auth-failure-throttle';
import { clientOf, traceOf } from '../auth/request-context';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { parsePublicKeys, SIGNATURE_HEADERS, verifyGithubSignature } from '../secret-scanning/github-signature';
import { candidatesOf, feedbackOf, parseReportBody, reportDigest } from '../secret-scanning/leak-report';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/secret-scanning')
@Public()
export class SecretScanningController {
  private readonly keys: Map<string, KeyObject>;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'SECRET_SCANNING_PUBLIC_KEYS'>,
    private readonly throttle: AuthFailureThrottle,
    private readonly metrics: Metrics,
  ) {
    // Validated at start (config.ts): a bad document never gets this far.
    this.keys = parsePublicKeys(config.SECRET_SCANNING_PUBLIC_KEYS);
  }

  @Post('verify')
  @HttpCode(200)
  @ApiDoc({ tag: 'Secret scanning', summary: "GitHub secret scanning partner endpoint: a signed report of tokens found in public; answers GitHub's feedback array" })
  @Header('Content-Type', 'application/json; charset=utf-8')
  async verify(@Req() req: FastifyRequest, @Body() body: unknown): Promise<string> {
    if (!this.keys.size) throw new DomainError(404, 'not_found', `Route ${req.method} ${req.url.split('?')[0]} not found.`);
    this.throttle.assertNotBlocked(req.ip);
    const raw = Buffer.isBuffer(body) ? body : undefined;
    const headers = req.headers;
    if (!raw || !verifyGithubSignature(this.keys, headers[SIGNATURE_HEADERS.keyIdentifier], headers[SIGNATURE_HEADERS.signature], raw)) {
      this.metrics.secretScanningReports.inc({ outcome: 'invalid_signature' });
      await this.throttle.recordFailure(req.ip);
      throw new Unauthenticated(
        'invalid_signature',
        'The report is not signed by a configured GitHub secret scanning key (Github-Public-Key-Identifier, Github-Public-Key-Signature).',
      );
    }
    const matches = this.counted('invalid', () => parseReportBody(raw));
    const { hashes, candidates } = this.counted('invalid', () => candidatesOf(matches));
    let found = new Set<string>();
    if (candidates.length) {
      const ctx: RequestContext = {
        tenant_id: 'system',
        mode: 'live',
        request_id: req.id,
        principal: { kind: 'system', id: SYSTEM_ACTORS.secretScanning.id, scopes: [] },
        client: clientOf(req),
        ...traceOf(req),
      };
      try {
        const reply = await forward(this.rpc, KeyRpc.reportLeakedKeys, ctx, {
          body: { report_sha256: reportDigest(raw), key_identifier: headers[SIGNATURE_HEADERS.keyIdentifier] as string, matches: candidates },
        });
        found = new Set(reply.data.found);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'replayed_request') this.metrics.secretScanningReports.inc({ outcome: 'replayed' });
        throw err;
      }
    }
    this.metrics.secretScanningReports.inc({ outcome: 'accepted' });
    const feedback = feedbackOf(matches, hashes, found);
    for (const item of feedback) this.metrics.secretScanningTokens.inc({ label: item.label });
    return JSON.stringify(feedback);
  }

  /** `fn`'s result; a report it refuses is counted under `outcome`. */
  private counted<T>(outcome: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.metrics.secretScanningReports.inc({ outcome });
      throw err;
    }
  }
}
