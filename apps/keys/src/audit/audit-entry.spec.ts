/** The generic event → audit entry mapping and the redaction of secrets. */
import type { DomainEvent } from '@sigil/contracts';
import { eventMeta } from '@sigil/platform';
import { auditEntryOf, REDACTED, redact } from './audit-entry';

const event = (type: string, data: unknown, meta?: DomainEvent['meta']): DomainEvent =>
  ({ id: 'evt_1', type, tenant_id: 'ten_1', mode: 'live', occurred_at: '2026-12-01T10:00:00.000Z', version: 1, data, ...(meta ? { meta } : {}) }) as DomainEvent;
const byKey = { actor: { type: 'api_key' as const, id: 'key_1' }, ip: '192.0.2.1', user_agent: 'ua', request_id: 'req_1', resource_id: 'whe_1' };

describe('auditEntryOf', () => {
  it('maps any event type with an actor: action = type, resource = family and aggregate id', () => {
    expect(auditEntryOf(event('member.invited', { email: 'a@b.test' }, { ...byKey, resource_id: 'inv_1' }))).toEqual({
      id: 'evt_1',
      tenant_id: 'ten_1',
      mode: 'live',
      occurred_at: '2026-12-01T10:00:00.000Z',
      action: 'member.invited',
      actor: { type: 'api_key', id: 'key_1' },
      resource_type: 'member',
      resource_id: 'inv_1',
      ip: '192.0.2.1',
      user_agent: 'ua',
      request_id: 'req_1',
      changes: { before: null, after: { email: 'a@b.test' } },
    });
  });

  it('skips events without an actor (the system) and data-plane events', () => {
    expect(auditEntryOf(event('webhook.endpoint_disabled', {}))).toBeUndefined();
    expect(auditEntryOf(event('contact.updated', {}, byKey))).toBeUndefined();
    expect(auditEntryOf(event('segment.contact_entered', {}, byKey))).toBeUndefined();
    expect(auditEntryOf(event('contact.deleted', { id: 'con_1' }, byKey))).toMatchObject({
      action: 'contact.deleted',
      changes: { before: { id: 'con_1' }, after: null },
    });
  });

  it('takes `previous` as before, and a deletion’s data as before', () => {
    expect(auditEntryOf(event('list.updated', { list: { name: 'b' } }, { ...byKey, previous: { name: 'a' } }))!.changes).toEqual({
      before: { name: 'a' },
      after: { list: { name: 'b' } },
    });
    expect(auditEntryOf(event('list.deleted', { id: 'lst_1' }, { ...byKey, previous: { name: 'a' } }))!.changes).toEqual({ before: { name: 'a' }, after: null });
  });
});

describe('redact', () => {
  it('replaces secret-looking fields at any depth, keeps the rest and nulls', () => {
    expect(
      redact({ secret: 's', password_hash: 'h', refresh_token: 't', headers: { a: 'b' }, name: 'n', none: null, deep: [{ webhook_secret: 'w', ok: 1 }], token_x: null }),
    ).toEqual({
      secret: REDACTED,
      password_hash: REDACTED,
      refresh_token: REDACTED,
      headers: REDACTED,
      name: 'n',
      none: null,
      deep: [{ webhook_secret: REDACTED, ok: 1 }],
      token_x: null,
    });
  });
});

describe('eventMeta (outbox writer)', () => {
  const ctx = { request_id: 'req_9', principal: { kind: 'user' as const, id: 'usr_1', scopes: ['*'] }, client: { ip: '::1', user_agent: 'cli' } };
  it('stamps the request’s principal, client and request id, and the aggregate id', () => {
    expect(eventMeta({ key: 'lst_1' }, ctx)).toEqual({ actor: { type: 'user', id: 'usr_1' }, ip: '::1', user_agent: 'cli', request_id: 'req_9', resource_id: 'lst_1' });
  });
  it('lets the writer name the actor (a sign-in) and the previous values', () => {
    expect(eventMeta({ key: 'usr_2', actor: { type: 'user', id: 'usr_2' }, previous: { a: 1 } }, { request_id: 'r' })).toEqual({
      actor: { type: 'user', id: 'usr_2' },
      request_id: 'r',
      resource_id: 'usr_2',
      previous: { a: 1 },
    });
  });
  it('leaves no metadata for the system (no principal, or a system principal)', () => {
    expect(eventMeta({ key: 'x' }, undefined)).toBeUndefined();
    expect(eventMeta({ key: 'x' }, { principal: { kind: 'system', id: 'sys', scopes: [] } })).toBeUndefined();
  });
});
