/**
 * Every Kafka request/reply message pattern. Each service's patterns live in
 * its own contract file; this gathers them. Patterns are not topics: every
 * request to a service travels on that service's one request topic with its
 * pattern in a header, and every reply on its caller's one reply topic, so a
 * consumer fetches a handful of partitions instead of one per pattern.
 */
import { ContactPatterns } from './contacts';
import { ImportPatterns } from './imports';
import { KeyPatterns } from './keys';
import { MemberPatterns } from './members';
import { defineRpc, replyOf } from './define-rpc';
import type { ReadinessReport } from './health';
import { qualify } from './naming';
import { z } from 'zod';
import { SegmentPatterns } from './segments';
import { WebhookPatterns } from './webhooks';

export const HealthPatterns = {
  contacts: qualify('contacts.health'),
  keys: qualify('keys.health'),
  segments: qualify('segments.health'),
  webhooks: qualify('webhooks.health'),
} as const;

/** A service's readiness probe: no request parts. */
function healthRpc(pattern: string) {
  return defineRpc(pattern, z.object({}), replyOf<ReadinessReport>());
}
export const HealthRpc = {
  contacts: healthRpc(HealthPatterns.contacts),
  keys: healthRpc(HealthPatterns.keys),
  segments: healthRpc(HealthPatterns.segments),
  webhooks: healthRpc(HealthPatterns.webhooks),
} as const;

export const ALL_PATTERNS: readonly string[] = [
  ...(Object.values(HealthPatterns) as string[]),
  ...(Object.values(ContactPatterns) as string[]),
  ...(Object.values(ImportPatterns) as string[]),
  ...(Object.values(KeyPatterns) as string[]),
  ...(Object.values(MemberPatterns) as string[]),
  ...(Object.values(SegmentPatterns) as string[]),
  ...(Object.values(WebhookPatterns) as string[]),
];

/** The services that serve request/reply patterns. */
export const RPC_SERVICES = ['keys', 'contacts', 'segments', 'webhooks'] as const;
/** The processes that call them: each has a reply topic. */
export const RPC_CALLERS = ['gateway', 'keys', 'contacts', 'segments', 'webhooks', 'segments-rebuild'] as const;

/** The one topic carrying every request to a service (the pattern is in a header). */
export function requestTopic(service: string): string {
  return qualify(`rpc.${service}`);
}

/** The one topic carrying every reply to a caller. */
export function replyTopicOf(caller: string): string {
  return qualify(`rpc.${caller}.replies`);
}

export const ALL_RPC_TOPICS: readonly string[] = [...RPC_SERVICES.map(requestTopic), ...RPC_CALLERS.map(replyTopicOf)];
