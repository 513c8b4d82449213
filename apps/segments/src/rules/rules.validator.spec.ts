import { ValidationFailed } from '@sigil/platform';
import { checkRules, ruleReferences, type FieldKind, type RuleLookups } from './rules.validator';

function detailsOf(rules: unknown, lookups?: RuleLookups): Array<{ field: string; code: string }> {
  try {
    checkRules(rules, lookups);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailed);
    return (err as ValidationFailed).details!.map((d) => ({ field: d.field, code: d.code }));
  }
  throw new Error('expected the rules to be rejected');
}

const lookups = (kinds: Record<string, FieldKind> = {}, lists: string[] = []): RuleLookups => ({
  fieldKind: (key) => kinds[key],
  listExists: (id) => lists.includes(id),
  segmentExists: (id) => id.startsWith('seg_known'),
});

describe('checkRules', () => {
  describe('accepts', () => {
    it.each([
      ['attribute eq', { attribute: 'email', op: 'eq', value: 'a@example.com' }],
      ['attribute neq', { attribute: 'first_name', op: 'neq', value: 'Ada' }],
      ['attribute contains', { attribute: 'last_name', op: 'contains', value: 'love' }],
      ['attribute starts_with', { attribute: 'phone', op: 'starts_with', value: '+44' }],
      ['attribute ends_with', { attribute: 'email', op: 'ends_with', value: '@example.com' }],
      ['attribute in', { attribute: 'first_name', op: 'in', value: ['Ada', 'Grace'] }],
      ['attribute not_in', { attribute: 'first_name', op: 'not_in', value: ['Ada'] }],
      ['attribute gt (text)', { attribute: 'last_name', op: 'gt', value: 'M' }],
      ['attribute between (text)', { attribute: 'last_name', op: 'between', value: ['A', 'M'] }],
      ['attribute exists', { attribute: 'phone', op: 'exists' }],
      ['attribute not_exists', { attribute: 'phone', op: 'not_exists' }],
      ['date gt', { attribute: 'created_at', op: 'gt', value: '2025-01-01' }],
      ['date gte', { attribute: 'created_at', op: 'gte', value: '2025-01-01T10:00:00Z' }],
      ['date lt', { attribute: 'updated_at', op: 'lt', value: '2025-01-01T10:00:00+02:00' }],
      ['date lte', { attribute: 'updated_at', op: 'lte', value: '2025-01-01T10:00' }],
      ['date between', { attribute: 'created_at', op: 'between', value: ['2025-01-01', '2025-02-01'] }],
      ['date eq', { attribute: 'created_at', op: 'eq', value: '2025-01-01T00:00:00.000Z' }],
      ['date in', { attribute: 'created_at', op: 'in', value: ['2025-01-01'] }],
      ['custom number gt', { custom_field: 'ltv', op: 'gt', value: 100 }],
      ['custom number between', { custom_field: 'ltv', op: 'between', value: [1, 2] }],
      ['custom number in', { custom_field: 'ltv', op: 'in', value: [1, 2] }],
      ['custom text eq', { custom_field: 'plan', op: 'eq', value: 'pro' }],
      ['custom text not_in', { custom_field: 'plan', op: 'not_in', value: ['pro'] }],
      ['custom boolean eq', { custom_field: 'vip', op: 'eq', value: true }],
      ['custom boolean neq', { custom_field: 'vip', op: 'neq', value: false }],
      ['custom date lt', { custom_field: 'renews', op: 'lt', value: '2026-01-01' }],
      ['custom has_any', { custom_field: 'interests', op: 'has_any', value: ['a', 'b'] }],
      ['custom has_all', { custom_field: 'interests', op: 'has_all', value: ['a'] }],
      ['custom exists', { custom_field: 'ltv', op: 'exists' }],
      ['tag has', { tag: 'vip', op: 'has' }],
      ['tag has_not', { tag: 'vip', op: 'has_not' }],
      ['list in', { list: 'lst_x', op: 'in' }],
      ['list not_in', { list: 'lst_x', op: 'not_in' }],
      ['activity ever', { activity: 'purchase', op: 'ever' }],
      ['activity never', { activity: 'purchase', op: 'never', within_days: 30 }],
      ['activity at_least', { activity: 'purchase', op: 'at_least', count: 2, within_days: 30 }],
      ['activity at_most 0', { activity: 'purchase', op: 'at_most', count: 0 }],
      [
        'activity where',
        {
          activity: 'purchase',
          op: 'at_least',
          count: 1,
          where: [
            { property: 'amount', op: 'gte', value: 20 },
            { property: 'sku', op: 'in', value: ['a'] },
          ],
        },
      ],
      ['nested groups', { and: [{ or: [{ tag: 'a', op: 'has' }, { not: { tag: 'b', op: 'has' } }] }, { attribute: 'email', op: 'exists' }] }],
    ])('%s', (_name, rules) => {
      expect(() => checkRules(rules, lookups({}, ['lst_x']))).not.toThrow();
    });
  });

  it('reports the JSON path of a bad operator inside nested groups', () => {
    const rules = { and: [{ tag: 'vip', op: 'has' }, { or: [{ attribute: 'email', op: 'bogus', value: 'x' }] }] };
    expect(detailsOf(rules)).toEqual([{ field: 'rules.and[1].or[0].op', code: 'invalid' }]);
  });

  it('reports every problem, each at its own path', () => {
    const rules = {
      and: [
        { attribute: 'nickname', op: 'eq', value: 'x' },
        { tag: '', op: 'has' },
        { list: 'lst_1', op: 'maybe' },
      ],
    };
    expect(detailsOf(rules)).toEqual([
      { field: 'rules.and[0].attribute', code: 'invalid' },
      { field: 'rules.and[1].tag', code: 'invalid_type' },
      { field: 'rules.and[2].op', code: 'invalid' },
    ]);
  });

  it.each([
    ['a node that is not an object', [1], 'rules', 'invalid_type'],
    ['an empty group', { and: [] }, 'rules.and', 'invalid'],
    ['a group that is not an array', { or: { tag: 'a', op: 'has' } }, 'rules.or', 'invalid_type'],
    ['two kinds in one node', { tag: 'a', list: 'b', op: 'has' }, 'rules', 'invalid'],
    ['no kind at all', { op: 'eq' }, 'rules', 'invalid'],
    ['an unknown key', { tag: 'a', op: 'has', value: 1 }, 'rules.value', 'unknown_field'],
    ['a value on exists', { attribute: 'email', op: 'exists', value: 'x' }, 'rules.value', 'not_allowed'],
    ['a missing value', { attribute: 'email', op: 'eq' }, 'rules.value', 'required'],
    ['a number for a text attribute', { attribute: 'email', op: 'eq', value: 1 }, 'rules.value', 'invalid_type'],
    ['a non-date for a date attribute', { attribute: 'created_at', op: 'gt', value: 'yesterday' }, 'rules.value', 'invalid'],
    ['contains on a date', { attribute: 'created_at', op: 'contains', value: '2025-01-01' }, 'rules.op', 'not_allowed'],
    ['has_any on an attribute', { attribute: 'email', op: 'has_any', value: ['a'] }, 'rules.op', 'not_allowed'],
    ['in without an array', { attribute: 'email', op: 'in', value: 'a' }, 'rules.value', 'invalid_type'],
    ['an empty in', { attribute: 'email', op: 'in', value: [] }, 'rules.value', 'invalid'],
    ['between with one bound', { custom_field: 'ltv', op: 'between', value: [1] }, 'rules.value', 'invalid'],
    ['between reversed', { custom_field: 'ltv', op: 'between', value: [5, 1] }, 'rules.value', 'invalid'],
    ['mixed in values', { custom_field: 'ltv', op: 'in', value: [1, 'a'] }, 'rules.value', 'invalid'],
    ['gt with plain text', { custom_field: 'plan', op: 'gt', value: 'pro' }, 'rules.value', 'invalid'],
    ['contains with a number', { custom_field: 'ltv', op: 'contains', value: 3 }, 'rules.op', 'not_allowed'],
    ['gt with a boolean', { custom_field: 'vip', op: 'gt', value: true }, 'rules.op', 'not_allowed'],
    ['has_any with numbers', { custom_field: 'i', op: 'has_any', value: [1] }, 'rules.value', 'invalid_type'],
    ['an object value', { custom_field: 'x', op: 'eq', value: { a: 1 } }, 'rules.value', 'invalid_type'],
    ['a bad tag op', { tag: 'a', op: 'in' }, 'rules.op', 'invalid'],
    ['at_least without count', { activity: 'p', op: 'at_least' }, 'rules.count', 'invalid'],
    ['at_least 0', { activity: 'p', op: 'at_least', count: 0 }, 'rules.count', 'invalid'],
    ['ever with a count', { activity: 'p', op: 'ever', count: 1 }, 'rules.count', 'not_allowed'],
    ['a fractional window', { activity: 'p', op: 'ever', within_days: 1.5 }, 'rules.within_days', 'invalid'],
    ['a window too long', { activity: 'p', op: 'ever', within_days: 100000 }, 'rules.within_days', 'invalid'],
    ['a bad where filter', { activity: 'p', op: 'ever', where: [{ property: 'amount', op: 'gte' }] }, 'rules.where[0].value', 'required'],
    ['where not an array', { activity: 'p', op: 'ever', where: { property: 'a' } }, 'rules.where', 'invalid_type'],
    ['a too long string', { attribute: 'email', op: 'eq', value: 'x'.repeat(1001) }, 'rules.value', 'too_long'],
  ])('rejects %s', (_name, rules, field, code) => {
    expect(detailsOf(rules)).toContainEqual({ field, code });
  });

  it('rejects trees nested too deeply or too large', () => {
    let deep: unknown = { tag: 'a', op: 'has' };
    for (let i = 0; i < 12; i++) deep = { not: deep };
    expect(detailsOf(deep)[0]!.code).toBe('too_deep');
    const wide = { or: Array.from({ length: 250 }, () => ({ tag: 'a', op: 'has' })) };
    expect(detailsOf(wide)[0]!.code).toBe('too_many');
  });

  it('checks custom field operators against the type the field holds', () => {
    const kinds = lookups({ ltv: 'number', plan: 'string', vip: 'boolean', interests: 'array' });
    expect(detailsOf({ custom_field: 'ltv', op: 'contains', value: '1' }, kinds)).toEqual([{ field: 'rules.op', code: 'not_allowed' }]);
    expect(detailsOf({ custom_field: 'plan', op: 'gt', value: 5 }, kinds)).toEqual([{ field: 'rules.op', code: 'not_allowed' }]);
    expect(detailsOf({ custom_field: 'vip', op: 'eq', value: 'yes' }, kinds)).toEqual([{ field: 'rules.op', code: 'not_allowed' }]);
    expect(detailsOf({ custom_field: 'interests', op: 'eq', value: 'a' }, kinds)).toEqual([{ field: 'rules.op', code: 'not_allowed' }]);
    expect(() => checkRules({ custom_field: 'plan', op: 'lt', value: '2025-01-01' }, kinds)).not.toThrow();
    expect(() => checkRules({ custom_field: 'ltv', op: 'exists' }, kinds)).not.toThrow();
  });

  it('reports lists that do not exist at their path', () => {
    const rules = {
      or: [
        { list: 'lst_known', op: 'in' },
        { list: 'lst_gone', op: 'not_in' },
      ],
    };
    expect(detailsOf(rules, lookups({}, ['lst_known']))).toEqual([{ field: 'rules.or[1].list', code: 'not_found' }]);
  });

  it('normalises dates to UTC ISO and notes time windows and list references', () => {
    const checked = checkRules({
      and: [
        { attribute: 'created_at', op: 'gte', value: '2025-01-01T10:00:00+02:00' },
        { activity: 'open', op: 'ever', within_days: 7 },
        { list: 'lst_a', op: 'in' },
        { list: 'lst_a', op: 'not_in' },
      ],
    });
    expect(checked.timeWindow).toBe(true);
    expect(checked.listIds).toEqual(['lst_a']);
    expect(checked.tree.node === 'and' && checked.tree.children[0]).toMatchObject({ value: '2025-01-01T08:00:00.000Z' });
    expect(checkRules({ activity: 'open', op: 'ever' }).timeWindow).toBe(false);
  });

  it('finds references in a raw tree', () => {
    expect(ruleReferences({ and: [{ list: 'lst_a', op: 'in' }, { not: { custom_field: 'ltv', op: 'exists' } }, { segment: 'seg_b', op: 'not_in' }] })).toEqual({
      listIds: ['lst_a'],
      fieldKeys: ['ltv'],
      segmentIds: ['seg_b'],
    });
  });

  describe('relative dates, segments, random buckets and subscription status (SPEC §13)', () => {
    it.each([
      ['older_than_days on created_at', { attribute: 'created_at', op: 'older_than_days', value: 30 }],
      ['within_last_days on updated_at', { attribute: 'updated_at', op: 'within_last_days', value: 14 }],
      ['within_next_days on a custom field', { custom_field: 'renewal_date', op: 'within_next_days', value: 7 }],
      ['anniversary today with a time zone', { custom_field: 'birthday', op: 'anniversary_within_days', value: 0, tz: 'Europe/Paris' }],
      ['a segment', { segment: 'seg_known1', op: 'in' }],
      ['not in a segment', { segment: 'seg_known1', op: 'not_in' }],
      ['a random bucket', { random_bucket: { percent: 10, salt: 'spring-test' } }],
      ['a random bucket range', { random_bucket: { percent: 12.5, salt: 's', offset: 87.5 } }],
      ['a subscription status', { subscription_status: 'unsubscribed', op: 'eq' }],
    ])('accepts %s', (_name, rules) => {
      expect(() => checkRules(rules, lookups({ renewal_date: 'string', birthday: 'string' }))).not.toThrow();
    });

    it.each([
      ['a relative op on a text attribute', { attribute: 'email', op: 'older_than_days', value: 3 }, 'rules.op', 'not_allowed'],
      ['a fractional day count', { attribute: 'created_at', op: 'within_last_days', value: 1.5 }, 'rules.value', 'invalid'],
      ['a negative day count', { attribute: 'created_at', op: 'older_than_days', value: -1 }, 'rules.value', 'invalid'],
      ['a missing day count', { attribute: 'created_at', op: 'older_than_days' }, 'rules.value', 'required'],
      ['an anniversary beyond a year', { custom_field: 'b', op: 'anniversary_within_days', value: 400 }, 'rules.value', 'invalid'],
      ['an unknown time zone', { custom_field: 'b', op: 'anniversary_within_days', value: 1, tz: 'Mars/Olympus' }, 'rules.tz', 'invalid'],
      ['an injected time zone', { custom_field: 'b', op: 'within_next_days', value: 1, tz: "UTC'; DROP TABLE contacts; --" }, 'rules.tz', 'invalid'],
      ['tz on an absolute op', { attribute: 'created_at', op: 'gt', value: '2025-01-01', tz: 'UTC' }, 'rules.tz', 'not_allowed'],
      [
        'a relative op in an activity filter',
        { activity: 'p', op: 'ever', where: [{ property: 'at', op: 'within_last_days', value: 3 }] },
        'rules.where[0].op',
        'not_allowed',
      ],
      ['an unknown segment', { segment: 'seg_gone', op: 'in' }, 'rules.segment', 'not_found'],
      ['a bad segment op', { segment: 'seg_known1', op: 'has' }, 'rules.op', 'invalid'],
      ['a zero percent bucket', { random_bucket: { percent: 0, salt: 's' } }, 'rules.random_bucket.percent', 'invalid'],
      ['a bucket over 100', { random_bucket: { percent: 60, salt: 's', offset: 50 } }, 'rules.random_bucket.offset', 'invalid'],
      ['a bucket finer than 0.01', { random_bucket: { percent: 0.001, salt: 's' } }, 'rules.random_bucket.percent', 'invalid'],
      ['a bucket without salt', { random_bucket: { percent: 5 } }, 'rules.random_bucket.salt', 'invalid_type'],
      ['an unknown bucket key', { random_bucket: { percent: 5, salt: 's', seed: 1 } }, 'rules.random_bucket.seed', 'unknown_field'],
      ['an unknown status', { subscription_status: 'maybe', op: 'eq' }, 'rules.subscription_status', 'invalid'],
      ['a bad status op', { subscription_status: 'subscribed', op: 'in' }, 'rules.op', 'invalid'],
    ])('rejects %s', (_name, rules, field, code) => {
      expect(detailsOf(rules, lookups())).toContainEqual({ field, code });
    });

    it('refuses a relative date on a custom field holding numbers', () => {
      expect(detailsOf({ custom_field: 'ltv', op: 'older_than_days', value: 3 }, lookups({ ltv: 'number' }))).toEqual([{ field: 'rules.op', code: 'not_allowed' }]);
    });

    it('marks relative dates as time-dependent and lists referenced segments', () => {
      const checked = checkRules({
        and: [
          { custom_field: 'b', op: 'anniversary_within_days', value: 0 },
          { segment: 'seg_a', op: 'in' },
          { segment: 'seg_a', op: 'not_in' },
        ],
      });
      expect(checked.timeWindow).toBe(true);
      expect(checked.segmentIds).toEqual(['seg_a']);
      expect(checked.tree.node === 'and' && checked.tree.children[0]).toMatchObject({ kind: 'relative', days: 0, tz: 'UTC' });
      expect(checkRules({ random_bucket: { percent: 10, salt: 'x' } }).timeWindow).toBe(false);
    });
  });
});
