/**
 * An API key's `allowed_cidrs` (SPEC §15), enforced from the cached
 * verification (no extra round trip): a request from elsewhere is a 403
 * `ip_not_allowed`. The client address is Fastify's `req.ip`, which honours
 * TRUST_PROXY_HOPS (X-Forwarded-For from that many proxies, never more), so a
 * client cannot spoof its way in by sending the header itself. Networks are
 * parsed once per cached key object.
 */
import { ipAllowed, parseCidr, type IpNetwork, type VerifiedApiKey } from '@sigil/contracts';
import { Forbidden } from '@sigil/platform';
import type { Caller } from './request-context';

const compiled = new WeakMap<VerifiedApiKey, readonly IpNetwork[]>();

function networksOf(key: VerifiedApiKey): readonly IpNetwork[] {
  let networks = compiled.get(key);
  if (!networks) {
    // Stored canonical by the keys service; an entry that does not parse would match nothing (fail closed).
    networks = (key.allowed_cidrs ?? []).map(parseCidr).filter((n): n is IpNetwork => !('error' in n));
    compiled.set(key, networks);
  }
  return networks;
}

/** Throws 403 `ip_not_allowed` when the caller is an API key restricted to networks that exclude `ip`. */
export function assertIpAllowed(caller: Caller, ip: string): void {
  if (caller.kind !== 'api_key' || !caller.key.allowed_cidrs) return;
  if (!ipAllowed(ip, networksOf(caller.key))) {
    throw new Forbidden('ip_not_allowed', `This API key may not be used from ${ip}; its allowed_cidrs exclude it.`, { ip });
  }
}
