import { bucketOf, compileRules, escapeLike, SqlParams, withConsent } from './rules.compiler';
import { checkRules } from './rules.validator';

const NOW = new Date('2025-06-01T00:00:00.000Z');

function compile(rules: unknown, initial: unknown[] = ['ten_1', 'live']) {
  const p = new SqlParams(initial);
  const sql = compileRules(checkRules(rules).tree, p, { now: NOW });
  return { sql, params: p.values };
}

const EVIL = `x'); DROP TABLE contacts; --`;

describe('compileRules', () => {
  it('numbers placeholders after the statement’s own parameters and casts each', () => {
    const { sql, params } = compile({ attribute: 'email', op: 'eq', value: 'A@Example.com' });
    expect(sql).toBe('coalesce((lower(c.email) = lower($3::text)), false)');
    expect(params).toEqual(['ten_1', 'live', 'A@Example.com']);
  });

  it('joins groups with AND / OR / NOT', () => {
    const { sql } = compile({ and: [{ tag: 'a', op: 'has' }, { or: [{ tag: 'b', op: 'has' }, { not: { tag: 'c', op: 'has' } }] }] });
    expect(sql).toBe('(coalesce(($3::text = ANY(c.tags)), false) AND (coalesce(($4::text = ANY(c.tags)), false) OR (NOT coalesce(($5::text = ANY(c.tags)), false))))');
  });

  it.each([
    ['contains', { attribute: 'email', op: 'contains', value: '50%_off\\' }, 'c.email ILIKE $3::text', '%50\\%\\_off\\\\%'],
    ['starts_with', { attribute: 'first_name', op: 'starts_with', value: 'Ad' }, 'c.first_name ILIKE $3::text', 'Ad%'],
    ['ends_with', { attribute: 'last_name', op: 'ends_with', value: 'ce' }, 'c.last_name ILIKE $3::text', '%ce'],
  ])('escapes LIKE wildcards for %s', (_op, rules, fragment, param) => {
    const { sql, params } = compile(rules);
    expect(sql).toContain(fragment);
    expect(params[2]).toBe(param);
  });

  it.each([
    [{ attribute: 'email', op: 'neq', value: 'a' }, 'lower(c.email) IS DISTINCT FROM lower($3::text)'],
    [{ attribute: 'email', op: 'in', value: ['A', 'b'] }, 'lower(c.email) = ANY($3::text[])'],
    [{ attribute: 'email', op: 'not_in', value: ['A'] }, 'NOT coalesce(lower(c.email) = ANY($3::text[]), false)'],
    [{ attribute: 'last_name', op: 'gte', value: 'M' }, 'lower(c.last_name) >= lower($3::text)'],
    [{ attribute: 'last_name', op: 'between', value: ['a', 'm'] }, 'lower(c.last_name) BETWEEN lower($3::text) AND lower($4::text)'],
    [{ attribute: 'phone', op: 'exists' }, "(c.phone IS NOT NULL AND c.phone::text <> '')"],
    [{ attribute: 'phone', op: 'not_exists' }, "NOT (c.phone IS NOT NULL AND c.phone::text <> '')"],
    [{ attribute: 'created_at', op: 'gt', value: '2025-01-01' }, 'c.created_at > $3::timestamptz'],
    [{ attribute: 'created_at', op: 'lt', value: '2025-01-01' }, 'c.created_at < $3::timestamptz'],
    [{ attribute: 'created_at', op: 'lte', value: '2025-01-01' }, 'c.created_at <= $3::timestamptz'],
    [{ attribute: 'updated_at', op: 'between', value: ['2025-01-01', '2025-02-01'] }, 'c.updated_at BETWEEN $3::timestamptz AND $4::timestamptz'],
    [{ attribute: 'updated_at', op: 'in', value: ['2025-01-01'] }, 'c.updated_at = ANY($3::timestamptz[])'],
    [
      { custom_field: 'ltv', op: 'gt', value: 100 },
      "(CASE WHEN jsonb_typeof((c.custom_fields -> $3::text)) = 'number' THEN ((c.custom_fields -> $3::text))::numeric END) > $4::numeric",
    ],
    [{ custom_field: 'ltv', op: 'not_in', value: [1, 2] }, '= ANY($4::numeric[]), false)'],
    [
      { custom_field: 'plan', op: 'eq', value: 'Pro' },
      "lower((CASE WHEN jsonb_typeof((c.custom_fields -> $3::text)) = 'string' THEN (c.custom_fields -> $3::text) #>> '{}' END)) = lower($4::text)",
    ],
    [
      { custom_field: 'renews', op: 'lt', value: '2026-01-01' },
      '(CASE WHEN (c.custom_fields ->> $3::text) IS NOT NULL THEN sigil_try_timestamptz((c.custom_fields ->> $3::text)) END) < $4::timestamptz',
    ],
    [{ custom_field: 'vip', op: 'eq', value: true }, '::boolean END) = $4::boolean'],
    [{ custom_field: 'vip', op: 'neq', value: true }, 'IS DISTINCT FROM $4::boolean'],
    [{ custom_field: 'interests', op: 'has_any', value: ['a'] }, "'array' THEN (c.custom_fields -> $3::text) END) ?| $4::text[]"],
    [{ custom_field: 'interests', op: 'has_all', value: ['a'] }, '?& $4::text[]'],
    [{ custom_field: 'ltv', op: 'exists' }, "jsonb_typeof((c.custom_fields -> $3::text)) IS DISTINCT FROM 'null'"],
    [{ tag: 'vip', op: 'has_not' }, 'NOT ($3::text = ANY(c.tags))'],
    [
      { list: 'lst_1', op: 'in' },
      'EXISTS (SELECT 1 FROM list_members lm WHERE lm.tenant_id = c.tenant_id AND lm.mode = c.mode AND lm.list_id = $3::text AND lm.contact_id = c.id)',
    ],
    [{ list: 'lst_1', op: 'not_in' }, 'NOT EXISTS (SELECT 1 FROM list_members lm'],
  ])('compiles %j', (rules, fragment) => {
    expect(compile(rules).sql).toContain(fragment);
  });

  it('compiles activity counts with a window relative to the injected clock and property filters', () => {
    const { sql, params } = compile({
      activity: 'purchase',
      op: 'at_least',
      count: 2,
      within_days: 30,
      where: [{ property: 'amount', op: 'gte', value: 20 }],
    });
    expect(sql).toContain('FROM contact_activities a WHERE a.tenant_id = c.tenant_id AND a.mode = c.mode AND a.contact_id = c.id AND a.type = $3::text');
    expect(sql).toContain('a.occurred_at > $4::timestamptz - make_interval(days => $5::int)');
    expect(sql).toContain('(a.properties -> $6::text)');
    expect(sql).toContain('LIMIT $8::int) x) >= $9::int');
    expect(params).toEqual(['ten_1', 'live', 'purchase', NOW.toISOString(), 30, 'amount', 20, 2, 2]);
  });

  it.each([
    [{ activity: 'open', op: 'ever' }, 'EXISTS (SELECT 1 FROM contact_activities'],
    [{ activity: 'open', op: 'never' }, 'NOT EXISTS (SELECT 1 FROM contact_activities'],
    [{ activity: 'open', op: 'at_most', count: 3 }, ') x) <= $5::int'],
  ])('compiles activity %j', (rules, fragment) => {
    expect(compile(rules).sql).toContain(fragment);
  });

  it('never puts a user string into the SQL text', () => {
    const rules = {
      and: [
        { attribute: 'email', op: 'contains', value: EVIL },
        { attribute: 'first_name', op: 'in', value: [EVIL] },
        { custom_field: EVIL, op: 'eq', value: EVIL },
        { custom_field: EVIL, op: 'has_any', value: [EVIL] },
        { tag: EVIL, op: 'has' },
        { list: EVIL, op: 'in' },
        { activity: EVIL, op: 'ever', where: [{ property: EVIL, op: 'eq', value: EVIL }] },
      ],
    };
    const { sql, params } = compile(rules);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("x'");
    expect(params.filter((v) => JSON.stringify(v).includes('DROP TABLE')).length).toBeGreaterThanOrEqual(9);
  });

  it('escapeLike leaves other characters alone', () => {
    expect(escapeLike('a%b_c\\d e')).toBe('a\\%b\\_c\\\\d e');
  });

  describe('SPEC §13 conditions', () => {
    it('compares relative dates with the clock, every value a bind parameter', () => {
      const { sql, params } = compile({ attribute: 'created_at', op: 'older_than_days', value: 30 });
      expect(sql).toBe('coalesce((c.created_at < $3::timestamptz - make_interval(days => $4::int)), false)');
      expect(params).toEqual(['ten_1', 'live', NOW.toISOString(), 30]);
    });

    it('reads custom field dates in the rule time zone and anniversaries as calendar dates', () => {
      const { sql, params } = compile({ custom_field: 'birthday', op: 'anniversary_within_days', value: 3, tz: 'America/New_York' });
      expect(sql).toContain('sigil_try_timestamptz((c.custom_fields ->> $3::text), $4::text)');
      expect(sql).toContain('sigil_days_to_anniversary(((CASE WHEN (c.custom_fields ->> $3::text) IS NOT NULL THEN sigil_try_timestamptz(');
      expect(sql).toContain('AT TIME ZONE $4::text)::date, ($5::timestamptz AT TIME ZONE $4::text)::date) <= $6::int');
      expect(params).toEqual(['ten_1', 'live', 'birthday', 'America/New_York', NOW.toISOString(), 3]);
    });

    it('compiles segment, random bucket and subscription status conditions', () => {
      expect(compile({ segment: 'seg_1', op: 'not_in' }).sql).toContain('NOT EXISTS (SELECT 1 FROM segment_members sm WHERE');
      const bucket = compile({ random_bucket: { percent: 12.5, salt: 'x', offset: 10 } });
      expect(bucket.params).toEqual(['ten_1', 'live', 'x', 1000, 2250]);
      expect(compile({ subscription_status: 'bounced', op: 'neq' }).sql).toBe('coalesce((NOT (c.subscription_status = $3::text)), false)');
    });

    it('compiles a segment the caller decides in the same statement as its predicate, and any other as its membership', () => {
      const tree = checkRules({
        and: [
          { segment: 'seg_inner', op: 'in' },
          { segment: 'seg_other', op: 'not_in' },
        ],
      }).tree;
      const p = new SqlParams(['ten_1', 'live']);
      const sql = compileRules(tree, p, { now: NOW, segmentPredicate: (id, q) => (id === 'seg_inner' ? `${q.add('vip', 'text')} = ANY(c.tags)` : undefined) });
      expect(sql).toBe(
        '(coalesce((coalesce(($3::text = ANY(c.tags)), false)), false) AND ' +
          'coalesce((NOT EXISTS (SELECT 1 FROM segment_members sm WHERE sm.tenant_id = c.tenant_id AND sm.mode = c.mode AND sm.segment_id = $4::text AND sm.contact_id = c.id)), false))',
      );
      expect(p.values).toEqual(['ten_1', 'live', 'vip', 'seg_other']);
    });

    it('spreads random buckets evenly and keeps them stable', () => {
      const ids = Array.from({ length: 20000 }, (_, i) => `con_${i.toString(36).padStart(8, '0')}`);
      const tenth = ids.filter((id) => bucketOf(id, 'spring-test') < 1000).length;
      expect(tenth).toBeGreaterThan(1800);
      expect(tenth).toBeLessThan(2200);
      expect(ids.map((id) => bucketOf(id, 'a'))).toEqual(ids.map((id) => bucketOf(id, 'a')));
      // Another salt is another split.
      expect(ids.filter((id) => bucketOf(id, 'a') < 5000 !== bucketOf(id, 'b') < 5000).length).toBeGreaterThan(9000);
    });

    it('applies the consent default unless the segment includes unsubscribed contacts', () => {
      expect(withConsent('X', false)).toBe("(c.subscription_status = 'subscribed' AND NOT c.suppressed AND X)");
      expect(withConsent('X', true)).toBe('X');
    });
  });
});
