import { CreateContactSchema, UpdateContactSchema, type ContactSnapshot } from '@sigil/contracts';
import type { FieldDefinition } from '../custom-fields/custom-field-values';
import { applyTags, applyUpdate, mergeContacts, newContact, strictest } from './contact-changes';

const now = new Date('2026-01-01T00:00:00.000Z');
const later = new Date('2026-01-02T00:00:00.000Z');
const defs = new Map<string, FieldDefinition>([['ltv', { key: 'ltv', label: 'LTV', type: 'number', options: null, required: false }]]);

function contact(): ContactSnapshot {
  return newContact(CreateContactSchema.parse({ email: 'a@example.com', first_name: 'Ada', tags: ['x'], custom_fields: { ltv: 1 } }), defs, now).contact;
}

describe('contact normalisation (contracts schemas)', () => {
  it('lowercases and trims emails, collapses names, strips phone punctuation', () => {
    expect(CreateContactSchema.parse({ email: ' Ada@Example.COM ', first_name: '  Ada   May ', last_name: '   ', phone: '+44 (20) 7946-0958' })).toEqual({
      email: 'ada@example.com',
      first_name: 'Ada May',
      last_name: null,
      phone: '+442079460958',
    });
  });

  it('rejects bad emails, phones, tags and unknown fields with per-field paths', () => {
    const r = CreateContactSchema.safeParse({ email: 'nope', phone: '12', tags: ['ok', ''], extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join() : i.path.join('.')));
    expect([...new Set(paths)].sort()).toEqual(['email', 'extra', 'phone', 'tags.1']);
    expect(UpdateContactSchema.safeParse({ email: null }).success).toBe(false);
  });
});

describe('contact changes', () => {
  it('creates with version 1, deduplicated tags and an id of the creation millisecond', () => {
    const { contact: c, details } = newContact(CreateContactSchema.parse({ email: 'a@b.co', tags: ['x', 'x', 'y'] }), defs, now);
    expect(details).toEqual([]);
    expect(c).toMatchObject({ version: 1, tags: ['x', 'y'], created_at: now.toISOString(), updated_at: now.toISOString() });
    expect(c.id).toMatch(/^con_01K/);
  });

  it('updates only what changed, listing the changed fields and bumping the version', () => {
    const c = contact();
    const r = applyUpdate(c, UpdateContactSchema.parse({ first_name: 'Ada', last_name: 'L', tags: ['x'], custom_fields: { ltv: 2 } }), defs, later);
    expect(r.changed).toEqual(['last_name', 'custom_fields.ltv']);
    expect(r.next).toMatchObject({ last_name: 'L', custom_fields: { ltv: 2 }, version: 2, updated_at: later.toISOString() });
  });

  it('reports no change for an identical patch, and removes a value set to null', () => {
    const c = contact();
    expect(applyUpdate(c, UpdateContactSchema.parse({ first_name: 'Ada', tags: ['x'], custom_fields: { ltv: 1 } }), defs, later).next).toBeNull();
    const r = applyUpdate(c, UpdateContactSchema.parse({ custom_fields: { ltv: null } }), defs, later);
    expect(r.next!.custom_fields).toEqual({});
    expect(r.changed).toEqual(['custom_fields.ltv']);
  });

  it('returns validation details instead of a change for a bad custom field', () => {
    const r = applyUpdate(contact(), UpdateContactSchema.parse({ first_name: 'B', custom_fields: { ltv: 'x' } }), defs, later);
    expect(r.next).toBeNull();
    expect(r.details.map((d) => d.field)).toEqual(['custom_fields.ltv']);
  });

  it('adds and removes tags, reporting only real changes', () => {
    const c = contact();
    expect(applyTags(c, ['x'], 'add', later).next).toBeNull();
    const added = applyTags(c, ['y', 'x', 'y'], 'add', later);
    expect(added).toMatchObject({ added: ['y'], removed: [], next: { tags: ['x', 'y'], version: 2 } });
    const removed = applyTags(added.next!, ['x', 'z'], 'remove', later);
    expect(removed).toMatchObject({ added: [], removed: ['x'], next: { tags: ['y'], version: 3 } });
  });
});

describe('mergeContacts', () => {
  const base = (overrides: Partial<ContactSnapshot>): ContactSnapshot => ({
    id: 'con_P',
    external_id: null,
    email: 'p@example.com',
    first_name: null,
    last_name: 'Primary',
    phone: null,
    tags: ['a'],
    custom_fields: { plan: 'pro' },
    subscription_status: 'subscribed',
    suppressed: false,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    version: 3,
    ...overrides,
  });

  it('fills only empty fields, first duplicate first; unites tags; copies missing custom fields; keeps the email', () => {
    const d1 = base({ id: 'con_1', email: 'd1@example.com', first_name: 'One', last_name: 'Dup', tags: ['b', 'a'], custom_fields: { plan: 'free', ltv: 5 } });
    const d2 = base({
      id: 'con_2',
      email: 'd2@example.com',
      first_name: 'Two',
      phone: '+14155550100',
      external_id: 'x-2',
      tags: ['c'],
      custom_fields: { ltv: 9, city: 'Oslo' },
    });
    const { next, changed } = mergeContacts(base({}), [d1, d2], new Date('2026-02-01T00:00:00Z'));
    expect(next).toMatchObject({
      id: 'con_P',
      email: 'p@example.com',
      external_id: 'x-2',
      first_name: 'One',
      last_name: 'Primary',
      phone: '+14155550100',
      tags: ['a', 'b', 'c'],
      custom_fields: { plan: 'pro', ltv: 5, city: 'Oslo' },
      version: 4,
      updated_at: '2026-02-01T00:00:00.000Z',
    });
    expect(changed).toEqual(['external_id', 'first_name', 'phone', 'tags', 'custom_fields.ltv', 'custom_fields.city']);
  });

  it('keeps the strictest subscription status: complained > unsubscribed > bounced > pending > subscribed', () => {
    const merged = (primary: ContactSnapshot['subscription_status'], ...dups: ContactSnapshot['subscription_status'][]) =>
      mergeContacts(
        base({ subscription_status: primary }),
        dups.map((s, i) => base({ id: `con_${i}`, subscription_status: s })),
        now,
      );
    expect(merged('subscribed', 'unsubscribed')).toMatchObject({ next: { subscription_status: 'unsubscribed' }, changed: ['subscription_status'] });
    expect(merged('subscribed', 'pending', 'bounced').next.subscription_status).toBe('bounced');
    expect(merged('bounced', 'unsubscribed').next.subscription_status).toBe('unsubscribed');
    expect(merged('unsubscribed', 'complained', 'subscribed').next.subscription_status).toBe('complained');
    // The primary's own stricter status stays, and is not reported as changed.
    expect(merged('complained', 'subscribed')).toMatchObject({ next: { subscription_status: 'complained' }, changed: [] });
    expect(merged('pending', 'subscribed').next.subscription_status).toBe('pending');
    expect(strictest(['subscribed', 'complained', 'bounced'])).toBe('complained');
  });

  it('still bumps the version when nothing was filled, so consumers see the merge', () => {
    const { next, changed } = mergeContacts(base({}), [base({ id: 'con_1', tags: [], custom_fields: {} })], new Date());
    expect(changed).toEqual([]);
    expect(next.version).toBe(4);
  });
});
