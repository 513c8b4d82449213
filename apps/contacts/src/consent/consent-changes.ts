/**
 * What a change of `subscription_status` adds to the write that made it: a
 * consent history row and a `contact.subscription_changed` event (the
 * `contact.updated` of the same write carries the new status too). Used by
 * every writer — PATCH, batch upsert, the token routes — so none forgets one.
 */
import type { ContactSnapshot, RequestContext, SubscriptionStatus } from '@sigil/contracts';
import { newId, type NewEvent } from '@sigil/platform';
import type { ConsentRow } from './consent.repository';

export interface ConsentSource {
  source: string;
  ip: string | null;
  actor: string;
}

/** Who made an API change: the key or user of the request. */
export function actorOf(ctx: RequestContext): string {
  return ctx.principal ? `${ctx.principal.kind}:${ctx.principal.id}` : 'system';
}

export interface StatusChange {
  before: SubscriptionStatus | null;
  after: ContactSnapshot;
}

/** Consent rows and events for the contacts whose status changed (a created contact has no `before`). */
export function consentOf(
  scope: { tenant_id: string; mode: RequestContext['mode'] },
  changes: StatusChange[],
  how: ConsentSource,
): { rows: ConsentRow[]; events: NewEvent[] } {
  const rows: ConsentRow[] = [];
  const events: NewEvent[] = [];
  for (const { before, after } of changes) {
    if (before === after.subscription_status) continue;
    const occurredAt = after.updated_at;
    rows.push({ id: newId('cns'), contact_id: after.id, status: after.subscription_status, source: how.source, ip: how.ip, actor: how.actor, occurred_at: occurredAt });
    if (before === null) continue;
    events.push({
      type: 'contact.subscription_changed',
      tenant_id: scope.tenant_id,
      mode: scope.mode,
      key: after.id,
      data: { contact_id: after.id, status: after.subscription_status, previous_status: before, source: how.source, occurred_at: occurredAt },
    });
  }
  return { rows, events };
}
