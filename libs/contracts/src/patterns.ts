/**
 * Kafka request/reply message patterns (each is a request topic; Nest adds
 * `<pattern>.reply`). Commands and queries, named `<aggregate>.<verb>`.
 */
import { qualify } from './naming';

export const ContactPatterns = {
  create: qualify('contacts.create'),
  get: qualify('contacts.get'),
} as const;

export const HealthPatterns = {
  contacts: qualify('contacts.health'),
  keys: qualify('keys.health'),
  segments: qualify('segments.health'),
  webhooks: qualify('webhooks.health'),
} as const;

export const ALL_PATTERNS: readonly string[] = [
  ...Object.values(ContactPatterns),
  ...Object.values(HealthPatterns),
];

export function replyTopic(pattern: string): string {
  return `${pattern}.reply`;
}
