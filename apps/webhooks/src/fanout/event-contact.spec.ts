/**
 * Which contact each subscribable event is about (per_contact ordering):
 * every catalogue event whose example names a contact (`con_…`) is ordered by
 * that contact, and the others by none — so a new event type about a contact,
 * carrying it under a field this rule does not know, fails here.
 */
import { EVENT_CATALOGUE, SUBSCRIBABLE_EVENT_TYPES } from '@sigil/contracts';
import { contactOf } from './event-contact';

describe('contactOf', () => {
  it('finds the contact of every catalogue event that names one, and none for the others', () => {
    for (const type of SUBSCRIBABLE_EVENT_TYPES) {
      const example = EVENT_CATALOGUE[type as keyof typeof EVENT_CATALOGUE].example;
      const named = JSON.stringify(example).match(/"(con_[0-9A-Za-z]+)"/)?.[1] ?? null;
      const got = contactOf(type, example);
      expect({ type, ordered: got !== null }).toEqual({ type, ordered: named !== null });
      if (got !== null) expect(JSON.stringify(example)).toContain(`"${got}"`);
    }
  });

  it('takes the deleted id, the primary of a merge, the snapshot or contact_id', () => {
    expect(contactOf('contact.deleted', { id: 'con_a', version: 3 })).toBe('con_a');
    expect(contactOf('contact.merged', { primary_id: 'con_p', merged_ids: ['con_x', 'con_y'] })).toBe('con_p');
    expect(contactOf('contact.updated', { contact: { id: 'con_u' }, changed: [] })).toBe('con_u');
    expect(contactOf('list.member_added', { list_id: 'lst_1', contact_id: 'con_m' })).toBe('con_m');
    expect(contactOf('segment.contact_exited', { segment_id: 'seg_1', contact_id: 'con_s' })).toBe('con_s');
  });

  it('has none for events about no contact, internal events and malformed data', () => {
    expect(contactOf('api_key.revoked', { id: 'key_1' })).toBeNull();
    expect(contactOf('webhook.attempt_exhausted', { endpoint_id: 'whe_1', delivery_id: 'msg_1' })).toBeNull();
    expect(contactOf('webhook.test', { message: 'hi' })).toBeNull();
    expect(contactOf('list.deleted', { id: 'lst_1' })).toBeNull();
    expect(contactOf('contact.updated', null)).toBeNull();
    expect(contactOf('contact.updated', { contact: { id: 42 } })).toBeNull();
    expect(contactOf('list.member_added', { contact_id: '' })).toBeNull();
  });
});
