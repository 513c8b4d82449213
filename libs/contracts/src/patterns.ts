/**
 * Every Kafka request/reply message pattern (each is a request topic; Nest
 * adds `<pattern>.reply`). Each service's patterns live in its own contract
 * file; this gathers them so topics can be created up front.
 */
import { ContactPatterns } from './contacts';
import { KeyPatterns } from './keys';
import { qualify } from './naming';
import { SegmentPatterns } from './segments';
import { WebhookPatterns } from './webhooks';

export const HealthPatterns = {
  contacts: qualify('contacts.health'),
  keys: qualify('keys.health'),
  segments: qualify('segments.health'),
  webhooks: qualify('webhooks.health'),
} as const;

export const ALL_PATTERNS: readonly string[] = [
  ...(Object.values(HealthPatterns) as string[]),
  ...(Object.values(ContactPatterns) as string[]),
  ...(Object.values(KeyPatterns) as string[]),
  ...(Object.values(SegmentPatterns) as string[]),
  ...(Object.values(WebhookPatterns) as string[]),
];

export function replyTopic(pattern: string): string {
  return `${pattern}.reply`;
}
