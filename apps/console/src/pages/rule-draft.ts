/**
 * The segment builder's editable form of a rule tree (SPEC §6, §13): groups
 * (and / or, optionally negated) of conditions — attribute and custom field
 * (with relative dates and their time zone), tag, list, activity, another
 * segment, random bucket, subscription status — and its translation to the
 * API's JSON rules and back. Values are kept as typed text and converted
 * here, so the API's own validation (with the path of the bad node) stays
 * the judge.
 */
import type { CustomField, RuleNode, RuleValue } from '../api/types';

export type ConditionType = 'attribute' | 'custom_field' | 'tag' | 'list' | 'activity' | 'segment' | 'random_bucket' | 'subscription_status';

export interface ConditionDraft {
  kind: 'condition';
  id: number;
  type: ConditionType;
  /** Attribute name, custom field key, tag, list id, activity type, segment id or subscription status. */
  subject: string;
  op: string;
  value: string;
  /** Upper bound of `between`. */
  value2: string;
  count: string;
  withinDays: string;
  property: string;
  propertyOp: string;
  propertyValue: string;
  /** IANA time zone of a relative-date op (empty: UTC). */
  tz: string;
  /** random_bucket: percent of contacts, salt, offset. */
  percent: string;
  salt: string;
  offset: string;
}

export interface GroupDraft {
  kind: 'group';
  id: number;
  combinator: 'and' | 'or';
  negated: boolean;
  children: Draft[];
}

export type Draft = ConditionDraft | GroupDraft;

export const ATTRIBUTES = ['email', 'first_name', 'last_name', 'phone', 'created_at', 'updated_at'] as const;
export const VALUE_OPS = ['eq', 'neq', 'contains', 'starts_with', 'ends_with', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'not_exists'] as const;
export const MULTI_OPS = ['has_any', 'has_all', 'exists', 'not_exists'] as const;
export const ACTIVITY_OPS = ['at_least', 'at_most', 'ever', 'never'] as const;
/** Relative to now, a whole number of days (SPEC §13); `tz` is allowed only on these. */
export const RELATIVE_DATE_OPS = ['older_than_days', 'within_last_days', 'within_next_days', 'anniversary_within_days'] as const;
export const RELATIVE_OPS = new Set<string>(RELATIVE_DATE_OPS);
export const DATE_ATTRIBUTES = new Set(['created_at', 'updated_at']);
export const SUBSCRIPTION_STATUSES = ['subscribed', 'unsubscribed', 'pending', 'bounced', 'complained'] as const;
export const NO_VALUE_OPS = new Set(['exists', 'not_exists']);
export const LIST_VALUE_OPS = new Set(['in', 'not_in', 'has_any', 'has_all']);

let nextId = 1;

export function newCondition(type: ConditionType = 'attribute'): ConditionDraft {
  const defaults: Record<ConditionType, { subject: string; op: string }> = {
    attribute: { subject: 'email', op: 'ends_with' },
    custom_field: { subject: '', op: 'eq' },
    tag: { subject: '', op: 'has' },
    list: { subject: '', op: 'in' },
    activity: { subject: '', op: 'at_least' },
    segment: { subject: '', op: 'in' },
    random_bucket: { subject: '', op: '' },
    subscription_status: { subject: 'subscribed', op: 'eq' },
  };
  return {
    kind: 'condition',
    id: nextId++,
    type,
    ...defaults[type],
    value: '',
    value2: '',
    count: '1',
    withinDays: '',
    property: '',
    propertyOp: 'gte',
    propertyValue: '',
    tz: '',
    percent: '10',
    salt: '',
    offset: '',
  };
}

export function newGroup(combinator: 'and' | 'or' = 'and', children: Draft[] = [newCondition()]): GroupDraft {
  return { kind: 'group', id: nextId++, combinator, negated: false, children };
}

/** Text typed in a value box → a JSON scalar of the right kind. */
function scalar(text: string, fieldType?: CustomField['type']): string | number | boolean {
  const t = text.trim();
  if (fieldType === 'number') return Number(t);
  if (fieldType === 'boolean') return t === 'true';
  return t;
}

function valueOf(op: string, value: string, value2: string, fieldType?: CustomField['type']): RuleValue | undefined {
  if (NO_VALUE_OPS.has(op)) return undefined;
  if (RELATIVE_OPS.has(op)) return Number(value.trim());
  if (LIST_VALUE_OPS.has(op))
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean)
      .map((v) => scalar(v, fieldType));
  if (op === 'between') return [scalar(value, fieldType), scalar(value2, fieldType)] as RuleValue;
  return scalar(value, fieldType);
}

function withValue<T extends object>(node: T, value: RuleValue | undefined): T & { value?: RuleValue } {
  return value === undefined ? node : { ...node, value };
}

/** A relative-date condition carries its time zone when one is chosen (UTC otherwise). */
function withTz<T extends object>(node: T, op: string, tz: string): T & { tz?: string } {
  return RELATIVE_OPS.has(op) && tz.trim() ? { ...node, tz: tz.trim() } : node;
}

export function conditionToRule(c: ConditionDraft, fields: CustomField[]): RuleNode {
  switch (c.type) {
    case 'attribute':
      return withTz(withValue({ attribute: c.subject, op: c.op }, valueOf(c.op, c.value, c.value2)), c.op, c.tz);
    case 'custom_field': {
      const type = fields.find((f) => f.key === c.subject)?.type;
      return withTz(withValue({ custom_field: c.subject, op: c.op }, valueOf(c.op, c.value, c.value2, type)), c.op, c.tz);
    }
    case 'segment':
      return { segment: c.subject, op: c.op as 'in' | 'not_in' };
    case 'subscription_status':
      return { subscription_status: c.subject, op: c.op as 'eq' | 'neq' };
    case 'random_bucket':
      return { random_bucket: { percent: Number(c.percent), salt: c.salt, ...(c.offset.trim() ? { offset: Number(c.offset) } : {}) } };
    case 'tag':
      return { tag: c.subject.trim(), op: c.op as 'has' | 'has_not' };
    case 'list':
      return { list: c.subject, op: c.op as 'in' | 'not_in' };
    case 'activity': {
      const node: RuleNode = { activity: c.subject.trim(), op: c.op as 'at_least' | 'at_most' | 'ever' | 'never' };
      if (c.op === 'at_least' || c.op === 'at_most') node.count = Number(c.count);
      if (c.withinDays.trim()) node.within_days = Number(c.withinDays);
      if (c.property.trim()) {
        const numeric = c.propertyValue.trim() !== '' && !Number.isNaN(Number(c.propertyValue));
        node.where = [
          withValue({ property: c.property.trim(), op: c.propertyOp }, NO_VALUE_OPS.has(c.propertyOp) ? undefined : numeric ? Number(c.propertyValue) : c.propertyValue),
        ];
      }
      return node;
    }
  }
}

export function draftToRule(d: Draft, fields: CustomField[]): RuleNode {
  if (d.kind === 'condition') return conditionToRule(d, fields);
  const children = d.children.map((c) => draftToRule(c, fields));
  const group: RuleNode = d.combinator === 'and' ? { and: children } : { or: children };
  return d.negated ? { not: group } : group;
}

/** Returns the tree with `id` replaced by `fn(node)` (or removed when fn returns undefined). */
export function updateDraft(d: Draft, id: number, fn: (node: Draft) => Draft | undefined): Draft | undefined {
  if (d.id === id) return fn(d);
  if (d.kind === 'condition') return d;
  return { ...d, children: d.children.map((c) => updateDraft(c, id, fn)).filter((c): c is Draft => c !== undefined) };
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/**
 * A saved rule tree back in the builder's form (to edit a segment), or
 * undefined when it uses something the builder does not show (an activity
 * with several property filters): such rules are changed through the API.
 */
export function ruleToDraft(rule: RuleNode): GroupDraft | undefined {
  const draft = toDraft(rule);
  if (!draft) return undefined;
  return draft.kind === 'group' ? draft : newGroup('and', [draft]);
}

function toDraft(rule: RuleNode): Draft | undefined {
  const r = rule as Record<string, unknown>;
  if ('and' in r || 'or' in r) {
    const combinator = 'and' in r ? 'and' : 'or';
    const children = (r[combinator] as RuleNode[]).map(toDraft);
    if (children.some((c) => !c)) return undefined;
    return { kind: 'group', id: nextId++, combinator, negated: false, children: children as Draft[] };
  }
  if ('not' in r) {
    const inner = toDraft(r['not'] as RuleNode);
    if (!inner) return undefined;
    if (inner.kind === 'group' && !inner.negated) return { ...inner, negated: true };
    return { kind: 'group', id: nextId++, combinator: 'and', negated: true, children: [inner] };
  }
  const op = text(r['op']);
  if ('attribute' in r || 'custom_field' in r) {
    const type: ConditionType = 'attribute' in r ? 'attribute' : 'custom_field';
    const ops: readonly string[] = [...VALUE_OPS, ...MULTI_OPS, ...RELATIVE_DATE_OPS];
    if (!ops.includes(op)) return undefined;
    const value = r['value'];
    const c = { ...newCondition(type), subject: text(r[type]), op, tz: text(r['tz']) };
    if (op === 'between' && Array.isArray(value)) return { ...c, value: text(value[0]), value2: text(value[1]) };
    return { ...c, value: Array.isArray(value) ? value.map(text).join(', ') : text(value) };
  }
  if ('tag' in r) return { ...newCondition('tag'), subject: text(r['tag']), op };
  if ('list' in r) return { ...newCondition('list'), subject: text(r['list']), op };
  if ('segment' in r) return { ...newCondition('segment'), subject: text(r['segment']), op };
  if ('subscription_status' in r) return { ...newCondition('subscription_status'), subject: text(r['subscription_status']), op };
  if ('random_bucket' in r) {
    const b = (r['random_bucket'] ?? {}) as Record<string, unknown>;
    return { ...newCondition('random_bucket'), percent: text(b['percent']), salt: text(b['salt']), offset: text(b['offset']) };
  }
  if ('activity' in r) {
    const where = (r['where'] as Array<Record<string, unknown>> | undefined) ?? [];
    if (where.length > 1) return undefined;
    const f = where[0];
    return {
      ...newCondition('activity'),
      subject: text(r['activity']),
      op,
      count: text(r['count'] ?? '1'),
      withinDays: text(r['within_days']),
      property: text(f?.['property']),
      propertyOp: f ? text(f['op']) : 'gte',
      propertyValue: text(f?.['value']),
    };
  }
  return undefined;
}
