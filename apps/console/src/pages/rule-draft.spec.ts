/** The segment builder's rule translation: every condition type to the API's JSON and back (what Edit loads). */
import { describe, expect, it } from '@jest/globals';
import type { CustomField, RuleNode } from '../api/types';
import { draftToRule, newCondition, newGroup, ruleToDraft, type ConditionDraft } from './rule-draft';

const FIELDS: CustomField[] = [
  { key: 'birthday', label: 'Birthday', type: 'date', options: null, required: false },
  { key: 'score', label: 'Score', type: 'number', options: null, required: false },
];

const cond = (patch: Partial<ConditionDraft> & Pick<ConditionDraft, 'type'>): ConditionDraft => ({ ...newCondition(patch.type), ...patch });

describe('rule drafts', () => {
  it('writes every condition type as the API takes it', () => {
    const root = newGroup('and', [
      cond({ type: 'attribute', subject: 'created_at', op: 'within_last_days', value: '7', tz: 'Europe/Paris' }),
      cond({ type: 'attribute', subject: 'updated_at', op: 'older_than_days', value: '30' }),
      cond({ type: 'custom_field', subject: 'birthday', op: 'anniversary_within_days', value: '0', tz: ' America/New_York ' }),
      cond({ type: 'custom_field', subject: 'score', op: 'between', value: '1', value2: '5' }),
      cond({ type: 'segment', subject: 'seg_1', op: 'not_in' }),
      cond({ type: 'random_bucket', percent: '12.5', salt: 'spring', offset: '' }),
      cond({ type: 'random_bucket', percent: '50', salt: 'spring', offset: '50' }),
      cond({ type: 'subscription_status', subject: 'unsubscribed', op: 'neq' }),
    ]);
    expect(draftToRule(root, FIELDS)).toEqual({
      and: [
        { attribute: 'created_at', op: 'within_last_days', value: 7, tz: 'Europe/Paris' },
        { attribute: 'updated_at', op: 'older_than_days', value: 30 },
        { custom_field: 'birthday', op: 'anniversary_within_days', value: 0, tz: 'America/New_York' },
        { custom_field: 'score', op: 'between', value: [1, 5] },
        { segment: 'seg_1', op: 'not_in' },
        { random_bucket: { percent: 12.5, salt: 'spring' } },
        { random_bucket: { percent: 50, salt: 'spring', offset: 50 } },
        { subscription_status: 'unsubscribed', op: 'neq' },
      ],
    });
  });

  it('sends tz only on relative-date operators', () => {
    const rule = draftToRule(cond({ type: 'attribute', subject: 'email', op: 'eq', value: 'a@example.com', tz: 'Europe/Paris' }), FIELDS);
    expect(rule).toEqual({ attribute: 'email', op: 'eq', value: 'a@example.com' });
  });

  it('loads every condition type back into the builder, unchanged', () => {
    const rules: RuleNode = {
      or: [
        { attribute: 'created_at', op: 'within_next_days', value: 3, tz: 'Asia/Tokyo' },
        { custom_field: 'birthday', op: 'anniversary_within_days', value: 0 },
        {
          not: {
            and: [
              { segment: 'seg_2', op: 'in' },
              { subscription_status: 'bounced', op: 'eq' },
            ],
          },
        },
        { random_bucket: { percent: 10, salt: 'x', offset: 20 } },
        { tag: 'vip', op: 'has' },
        { list: 'lst_1', op: 'in' },
        { activity: 'purchase', op: 'at_least', count: 2, within_days: 30, where: [{ property: 'amount', op: 'gte', value: 10 }] },
      ],
    };
    const draft = ruleToDraft(rules);
    expect(draft).toBeDefined();
    expect(draftToRule(draft!, FIELDS)).toEqual(rules);
  });

  it('leaves to the API only an activity with several property filters', () => {
    const rules: RuleNode = {
      activity: 'purchase',
      op: 'ever',
      where: [
        { property: 'amount', op: 'gte', value: 10 },
        { property: 'currency', op: 'eq', value: 'EUR' },
      ],
    };
    expect(ruleToDraft(rules)).toBeUndefined();
  });
});
