/**
 * From a domain event to an audit entry, for every event type at once: an
 * event is audited when a credential caused it (its `meta.actor`, stamped by
 * the platform's outbox writer) or the platform acted for someone (a system
 * actor the writer names: the operator, GitHub secret scanning), and it is
 * not one of the high-volume data-plane events. So an event type added by any service is recorded
 * without code here: its action is its type, its resource the aggregate it
 * is about, its changes its data (secrets redacted).
 */
import type { AuditActor, DomainEvent, Mode } from '@sigil/contracts';

/**
 * Data-plane events: contact writes, list membership, segment membership. A
 * batch of 1 000 contacts is not 1 000 governance actions; contact deletes
 * and merges (and everything else) are audited.
 */
export const DATA_PLANE_EVENTS: ReadonlySet<string> = new Set([
  'contact.created',
  'contact.updated',
  'contact.tags_changed',
  'contact.activity_recorded',
  'contact.subscription_changed',
  'contact.imported',
  'list.member_added',
  'list.member_removed',
  'segment.contact_entered',
  'segment.contact_exited',
  'webhook.test',
]);

/** A credential, or the platform acting on someone's behalf (the operator API, GitHub secret scanning). */
const AUDITED_ACTOR_TYPES: ReadonlySet<string> = new Set<AuditActor['type']>(['user', 'api_key', 'system']);

/** Field names whose values never reach the audit log. */
const SECRET_FIELD = /secret|password|token|authorization|credential|signature|hash|^headers$|^key_material$/i;
export const REDACTED = '[redacted]';

export interface AuditRow {
  id: string;
  tenant_id: string;
  mode: Mode;
  occurred_at: string;
  action: string;
  actor: AuditActor;
  resource_type: string;
  resource_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: { before: unknown; after: unknown };
}

/** A copy of `value` with every secret-looking field's value replaced (at any depth). */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined ? REDACTED : redact(v);
  }
  return out;
}

/** The audit entry of an event, or undefined when the event is not audited. */
export function auditEntryOf(event: DomainEvent): AuditRow | undefined {
  const meta = event.meta;
  const actor = meta?.actor;
  if (!actor || !AUDITED_ACTOR_TYPES.has(actor.type) || DATA_PLANE_EVENTS.has(event.type)) return undefined;
  const dot = event.type.indexOf('.');
  const deleted = event.type.endsWith('.deleted');
  return {
    id: event.id,
    tenant_id: event.tenant_id,
    mode: event.mode,
    occurred_at: event.occurred_at,
    action: event.type,
    actor: { type: actor.type, id: actor.id },
    resource_type: dot > 0 ? event.type.slice(0, dot) : event.type,
    resource_id: meta.resource_id ?? null,
    ip: meta.ip ?? null,
    user_agent: meta.user_agent ?? null,
    request_id: meta.request_id ?? null,
    // A deletion's data is what was there; otherwise the data is the state after, and `previous` (if the writer knew it) before.
    changes: {
      before: redact(meta.previous ?? (deleted ? event.data : null)),
      after: deleted ? null : redact(event.data),
    },
  };
}
