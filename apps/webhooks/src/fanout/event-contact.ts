/**
 * The contact an event is about, for `ordering: "per_contact"` endpoints
 * (SPEC §14): deliveries with the same contact go one at a time, in order.
 * Events about no contact (API keys, members, the plan, webhooks' own
 * operational events) have none and are never held back.
 */
import { INTERNAL_EVENT_TYPES, type EventType } from '@sigil/contracts';

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/**
 * `contact.deleted` names it `id`; `contact.merged` is the primary's (the
 * contact that remains); every other event about a contact carries it as
 * `contact` (a snapshot) or `contact_id`.
 */
export function contactOf(type: string, data: unknown): string | null {
  if (INTERNAL_EVENT_TYPES.has(type as EventType) || !data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (type === 'contact.deleted') return text(d['id']);
  if (type === 'contact.merged') return text(d['primary_id']);
  const snapshot = d['contact'];
  if (snapshot && typeof snapshot === 'object') return text((snapshot as Record<string, unknown>)['id']);
  return text(d['contact_id']);
}
