/**
 * Factories for segments tests: contact snapshots and the contact events the
 * segments read model consumes, with fresh ids; a test overrides what matters.
 */
import type { ContactSnapshot, DomainEvent, EventPayloads, EventType, RequestContext } from '@sigil/contracts';
import { newId } from '@sigil/platform';
import { uniqueEmail } from './factories';

export function contactSnapshot(overrides: Partial<ContactSnapshot> = {}): ContactSnapshot {
  const now = new Date().toISOString();
  return {
    id: newId('con'),
    external_id: null,
    email: uniqueEmail(),
    first_name: 'Ada',
    last_name: 'Lovelace',
    phone: null,
    tags: [],
    custom_fields: {},
    subscription_status: 'subscribed',
    suppressed: false,
    created_at: now,
    updated_at: now,
    version: 1,
    ...overrides,
  };
}

/** A domain event of the context's tenant and mode, as the contacts service would publish it. */
export function domainEvent<T extends EventType>(type: T, ctx: Pick<RequestContext, 'tenant_id' | 'mode'>, data: EventPayloads[T]): DomainEvent<T> {
  return { id: newId('evt'), type, tenant_id: ctx.tenant_id, mode: ctx.mode, occurred_at: new Date().toISOString(), version: 1, data };
}

/** The next version of a contact, as `contact.updated` would carry it. */
export function nextVersion(contact: ContactSnapshot, changes: Partial<ContactSnapshot> = {}): ContactSnapshot {
  return { ...contact, ...changes, version: contact.version + 1, updated_at: new Date().toISOString() };
}

export function activityOf(type: string, occurredAt: Date, properties: Record<string, unknown> = {}) {
  return { id: newId('act'), type, occurred_at: occurredAt.toISOString(), properties };
}

/** A valid rule tree for a segment body: contacts with the tag. */
export function segmentInput(overrides: { name?: string; rules?: unknown } = {}) {
  return { name: `Segment ${newId('x').slice(-6)}`, rules: { tag: 'vip', op: 'has' }, ...overrides };
}
