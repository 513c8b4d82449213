/**
 * Checks a segment rule tree (SPEC §6, docs/segments.md) and turns it into a
 * typed tree the compiler can trust. Every problem is reported with the JSON
 * path of the bad node (`rules.and[1].op`) and why. Checks that need the
 * tenant's data (list ids exist, custom field types) take it as a lookup.
 */
import {
  RELATIVE_DATE_OPS,
  RULE_ATTRIBUTES,
  RULE_LIMITS,
  SUBSCRIPTION_STATUSES,
  VALUE_OPS,
  type RelativeDateOp,
  type SubscriptionStatus,
  type ErrorDetail,
  type RuleAttribute,
  type RuleScalar,
  type ValueOp,
} from '@sigil/contracts';
import { ValidationFailed } from '@sigil/platform';

/** What a compared value is, decided by the attribute or (for JSON values) by the rule's value. */
export type ValueKind = 'text' | 'number' | 'date' | 'boolean' | 'array' | 'any';

export interface CheckedValue {
  op: ValueOp;
  kind: ValueKind;
  /** Normalised: dates as ISO strings, text for `in` lower-cased by the compiler, absent for exists. */
  value?: RuleScalar | RuleScalar[];
}

/** A date compared with "now": `days` from the clock, calendar in `tz` (UTC unless the rule says). */
export interface CheckedRelative {
  op: RelativeDateOp;
  kind: 'relative';
  days: number;
  tz: string;
}

export type CheckedNode =
  | { node: 'and' | 'or'; children: CheckedNode[] }
  | { node: 'not'; child: CheckedNode }
  | ({ node: 'attribute'; attribute: RuleAttribute } & (CheckedValue | CheckedRelative))
  | ({ node: 'custom_field'; key: string; path: string } & (CheckedValue | CheckedRelative))
  | { node: 'segment'; segmentId: string; op: 'in' | 'not_in'; path: string }
  | { node: 'random_bucket'; salt: string; fromBasisPoints: number; toBasisPoints: number }
  | { node: 'subscription_status'; status: SubscriptionStatus; op: 'eq' | 'neq' }
  | { node: 'tag'; tag: string; op: 'has' | 'has_not' }
  | { node: 'list'; listId: string; op: 'in' | 'not_in'; path: string }
  | {
      node: 'activity';
      type: string;
      op: 'at_least' | 'at_most' | 'ever' | 'never';
      count?: number;
      withinDays?: number;
      where: Array<{ property: string } & CheckedValue>;
    };

export interface CheckedRules {
  tree: CheckedNode;
  /** List ids referenced, for existence checks and to re-evaluate on membership changes. */
  listIds: string[];
  /** Segment ids referenced (`{"segment": …}`), for existence, cycle and propagation checks. */
  segmentIds: string[];
  /** Whether membership can change with time alone (a `within_days` window or a relative date). */
  timeWindow: boolean;
}

/** Kind of a custom field as seen in the read model's values. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'array';

export interface RuleLookups {
  fieldKind(key: string): FieldKind | undefined;
  listExists(id: string): boolean;
  segmentExists(id: string): boolean;
}

const TEXT_ATTRIBUTES = new Set<RuleAttribute>(['email', 'first_name', 'last_name', 'phone']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const GROUP_KEYS = ['and', 'or', 'not'] as const;
const CONDITION_KEYS = ['attribute', 'custom_field', 'tag', 'list', 'activity', 'segment', 'random_bucket', 'subscription_status'] as const;
const OPS_BY_KIND: Record<Exclude<ValueKind, 'any'>, ReadonlySet<ValueOp>> = {
  text: new Set(['eq', 'neq', 'contains', 'starts_with', 'ends_with', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between']),
  number: new Set(['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between']),
  date: new Set(['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'between']),
  boolean: new Set(['eq', 'neq']),
  array: new Set(['has_any', 'has_all']),
};
/** Which value kinds a custom field of a given type accepts. */
const FIELD_ACCEPTS: Record<FieldKind, ReadonlySet<ValueKind>> = {
  string: new Set(['text', 'date', 'any']),
  number: new Set(['number', 'any']),
  boolean: new Set(['boolean', 'any']),
  array: new Set(['array', 'any']),
};

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(normaliseDateInput(value)));
}

/** A date without an offset means UTC (JavaScript would read a date-time without one as local time). */
function normaliseDateInput(value: string): string {
  return value.length > 10 && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
}

function toIso(value: string): string {
  return new Date(Date.parse(normaliseDateInput(value))).toISOString();
}

class RuleChecker {
  readonly details: ErrorDetail[] = [];
  readonly listRefs: Array<{ id: string; path: string }> = [];
  readonly segmentRefs: Array<{ id: string; path: string }> = [];
  readonly fieldRefs: Array<{ key: string; path: string; kind: ValueKind; op: ValueOp | RelativeDateOp }> = [];
  timeWindow = false;
  private nodes = 0;

  fail(path: string, code: string, message: string): undefined {
    if (this.details.length < 50) this.details.push({ field: path, code, message });
    return undefined;
  }

  node(input: unknown, path: string, depth: number): CheckedNode | undefined {
    if (++this.nodes > RULE_LIMITS.maxNodes) {
      return this.nodes === RULE_LIMITS.maxNodes + 1 ? this.fail(path, 'too_many', `A rule tree may have at most ${RULE_LIMITS.maxNodes} nodes.`) : undefined;
    }
    if (depth > RULE_LIMITS.maxDepth) return this.fail(path, 'too_deep', `Rules may nest at most ${RULE_LIMITS.maxDepth} levels.`);
    if (!isPlainObject(input)) return this.fail(path, 'invalid_type', 'Expected an object: a group (and/or/not) or a condition.');
    const kinds = [...GROUP_KEYS, ...CONDITION_KEYS].filter((k) => k in input);
    if (kinds.length !== 1) {
      return this.fail(
        path,
        'invalid',
        kinds.length
          ? `A node has exactly one of ${[...GROUP_KEYS, ...CONDITION_KEYS].join(', ')}; found ${kinds.join(' and ')}.`
          : `Expected a group ({"and": [...]}, {"or": [...]}, {"not": {...}}) or a condition (${CONDITION_KEYS.join(', ')}).`,
      );
    }
    const kind = kinds[0]!;
    switch (kind) {
      case 'and':
      case 'or':
        return this.group(kind, input, path, depth);
      case 'not': {
        if (!this.onlyKeys(input, path, ['not'])) return undefined;
        const child = this.node(input['not'], `${path}.not`, depth + 1);
        return child && { node: 'not', child };
      }
      case 'attribute':
        return this.attribute(input, path);
      case 'custom_field':
        return this.customField(input, path);
      case 'tag':
        return this.tag(input, path);
      case 'list':
        return this.list(input, path);
      case 'activity':
        return this.activity(input, path);
      case 'segment':
        return this.segment(input, path);
      case 'random_bucket':
        return this.randomBucket(input, path);
      case 'subscription_status':
        return this.subscriptionStatus(input, path);
    }
  }

  private group(kind: 'and' | 'or', input: Record<string, unknown>, path: string, depth: number): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, [kind])) return undefined;
    const list = input[kind];
    if (!Array.isArray(list)) return this.fail(`${path}.${kind}`, 'invalid_type', 'Expected an array of rule nodes.');
    if (list.length === 0) return this.fail(`${path}.${kind}`, 'invalid', 'A group needs at least one node.');
    if (list.length > RULE_LIMITS.maxGroupItems) {
      return this.fail(`${path}.${kind}`, 'too_many', `A group holds at most ${RULE_LIMITS.maxGroupItems} nodes (nest groups for more).`);
    }
    const children = list.map((child, i) => this.node(child, `${path}.${kind}[${i}]`, depth + 1));
    return children.every((c): c is CheckedNode => c !== undefined) ? { node: kind, children } : undefined;
  }

  private attribute(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['attribute', 'op', 'value', 'tz'])) return undefined;
    const attribute = input['attribute'];
    if (typeof attribute !== 'string' || !(RULE_ATTRIBUTES as readonly string[]).includes(attribute)) {
      return this.fail(`${path}.attribute`, 'invalid', `Unknown attribute; expected one of ${RULE_ATTRIBUTES.join(', ')}.`);
    }
    const fixed: ValueKind = TEXT_ATTRIBUTES.has(attribute as RuleAttribute) ? 'text' : 'date';
    if (isRelativeOp(input['op'])) {
      if (fixed !== 'date') return this.fail(`${path}.op`, 'not_allowed', `"${input['op']}" applies to the date attributes created_at and updated_at.`);
      const relative = this.relative(input, path);
      return relative && { node: 'attribute', attribute: attribute as RuleAttribute, ...relative };
    }
    if (input['tz'] !== undefined) return this.fail(`${path}.tz`, 'not_allowed', `tz goes only with ${RELATIVE_DATE_OPS.join(', ')}.`);
    const checked = this.value(input, path, fixed);
    return checked && { node: 'attribute', attribute: attribute as RuleAttribute, ...checked };
  }

  private customField(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['custom_field', 'op', 'value', 'tz'])) return undefined;
    const key = this.string(input['custom_field'], `${path}.custom_field`, 64);
    if (isRelativeOp(input['op'])) {
      const relative = this.relative(input, path);
      if (key === undefined || !relative) return undefined;
      // Dates in custom fields are JSON strings: the field must hold strings.
      this.fieldRefs.push({ key, path, kind: 'date', op: relative.op });
      return { node: 'custom_field', key, path, ...relative };
    }
    if (input['tz'] !== undefined) return this.fail(`${path}.tz`, 'not_allowed', `tz goes only with ${RELATIVE_DATE_OPS.join(', ')}.`);
    const checked = this.value(input, path);
    if (key === undefined || !checked) return undefined;
    this.fieldRefs.push({ key, path, kind: checked.kind, op: checked.op });
    return { node: 'custom_field', key, path, ...checked };
  }

  /** `op` + `value` (whole days) + optional `tz` of a relative-date condition. */
  private relative(input: Record<string, unknown>, path: string): CheckedRelative | undefined {
    const op = input['op'] as RelativeDateOp;
    const max = op === 'anniversary_within_days' ? RULE_LIMITS.maxAnniversaryDays : RULE_LIMITS.maxRelativeDays;
    const days = input['value'];
    let ok = true;
    if (days === undefined) ok = !!this.fail(`${path}.value`, 'required', `"${op}" needs a number of days.`);
    else if (!Number.isInteger(days) || (days as number) < 0 || (days as number) > max) {
      ok = !!this.fail(`${path}.value`, 'invalid', `"${op}" takes a whole number of days from 0 to ${max}.`);
    }
    const tz = input['tz'] ?? 'UTC';
    if (typeof tz !== 'string' || !isTimeZone(tz)) ok = !!this.fail(`${path}.tz`, 'invalid', 'Expected an IANA time zone such as "Europe/Paris" or "UTC".');
    if (!ok) return undefined;
    this.timeWindow = true;
    return { op, kind: 'relative', days: days as number, tz: tz as string };
  }

  private segment(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['segment', 'op'])) return undefined;
    const segmentId = this.string(input['segment'], `${path}.segment`, 64);
    const op = input['op'];
    if (op !== 'in' && op !== 'not_in') return this.fail(`${path}.op`, 'invalid', 'A segment condition takes op "in" or "not_in".');
    if (segmentId === undefined) return undefined;
    this.segmentRefs.push({ id: segmentId, path: `${path}.segment` });
    return { node: 'segment', segmentId, op, path: `${path}.segment` };
  }

  private randomBucket(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['random_bucket'])) return undefined;
    const at = `${path}.random_bucket`;
    const spec = input['random_bucket'];
    if (!isPlainObject(spec)) return this.fail(at, 'invalid_type', 'Expected {"percent", "salt", "offset"?}.');
    if (!this.onlyKeys(spec, at, ['percent', 'salt', 'offset'])) return undefined;
    const salt = this.string(spec['salt'], `${at}.salt`, 100);
    // Buckets are 0.01 % wide: percent and offset are whole basis points.
    const basisPoints = (v: unknown, field: string, min: number): number | undefined => {
      const bp = typeof v === 'number' ? Math.round(v * 100) : NaN;
      if (!Number.isFinite(bp) || Math.abs(bp - (v as number) * 100) > 1e-6 || bp < min || bp > 10000) {
        return this.fail(`${at}.${field}`, 'invalid', `${field} is a number from ${min / 100} to 100 with at most two decimals.`);
      }
      return bp;
    };
    const percent = basisPoints(spec['percent'], 'percent', 1);
    const offset = spec['offset'] === undefined ? 0 : basisPoints(spec['offset'], 'offset', 0);
    if (salt === undefined || percent === undefined || offset === undefined) return undefined;
    if (offset + percent > 10000) return this.fail(`${at}.offset`, 'invalid', 'offset + percent must not exceed 100.');
    return { node: 'random_bucket', salt, fromBasisPoints: offset, toBasisPoints: offset + percent };
  }

  private subscriptionStatus(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['subscription_status', 'op'])) return undefined;
    const status = input['subscription_status'];
    const op = input['op'];
    let ok = true;
    if (typeof status !== 'string' || !(SUBSCRIPTION_STATUSES as readonly string[]).includes(status)) {
      ok = !!this.fail(`${path}.subscription_status`, 'invalid', `Expected one of ${SUBSCRIPTION_STATUSES.join(', ')}.`);
    }
    if (op !== 'eq' && op !== 'neq') ok = !!this.fail(`${path}.op`, 'invalid', 'A subscription_status condition takes op "eq" or "neq".');
    return ok ? { node: 'subscription_status', status: status as SubscriptionStatus, op: op as 'eq' | 'neq' } : undefined;
  }

  private tag(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['tag', 'op'])) return undefined;
    const tag = this.string(input['tag'], `${path}.tag`, 64);
    const op = input['op'];
    if (op !== 'has' && op !== 'has_not') return this.fail(`${path}.op`, 'invalid', 'A tag condition takes op "has" or "has_not".');
    return tag === undefined ? undefined : { node: 'tag', tag, op };
  }

  private list(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['list', 'op'])) return undefined;
    const listId = this.string(input['list'], `${path}.list`, 64);
    const op = input['op'];
    if (op !== 'in' && op !== 'not_in') return this.fail(`${path}.op`, 'invalid', 'A list condition takes op "in" or "not_in".');
    if (listId === undefined) return undefined;
    this.listRefs.push({ id: listId, path: `${path}.list` });
    return { node: 'list', listId, op, path: `${path}.list` };
  }

  private activity(input: Record<string, unknown>, path: string): CheckedNode | undefined {
    if (!this.onlyKeys(input, path, ['activity', 'op', 'count', 'within_days', 'where'])) return undefined;
    const type = this.string(input['activity'], `${path}.activity`, 100);
    const op = input['op'];
    let ok = type !== undefined;
    if (op !== 'at_least' && op !== 'at_most' && op !== 'ever' && op !== 'never') {
      return this.fail(`${path}.op`, 'invalid', 'An activity condition takes op "at_least", "at_most", "ever" or "never".');
    }
    const count = input['count'];
    if (op === 'at_least' || op === 'at_most') {
      const min = op === 'at_least' ? 1 : 0;
      if (!Number.isInteger(count) || (count as number) < min || (count as number) > 1_000_000) {
        ok = !!this.fail(`${path}.count`, 'invalid', `"${op}" needs an integer count from ${min} to 1000000.`);
      }
    } else if (count !== undefined) {
      ok = !!this.fail(`${path}.count`, 'not_allowed', `"${op}" takes no count.`);
    }
    const within = input['within_days'];
    if (within !== undefined && (!Number.isInteger(within) || (within as number) < 1 || (within as number) > RULE_LIMITS.maxWithinDays)) {
      ok = !!this.fail(`${path}.within_days`, 'invalid', `within_days is an integer from 1 to ${RULE_LIMITS.maxWithinDays}.`);
    }
    const where: Array<{ property: string } & CheckedValue> = [];
    if (input['where'] !== undefined) {
      const filters = input['where'];
      if (!Array.isArray(filters) || filters.length > 20) {
        ok = !!this.fail(`${path}.where`, 'invalid_type', 'where is an array of at most 20 property filters.');
      } else {
        filters.forEach((f, i) => {
          const at = `${path}.where[${i}]`;
          if (!isPlainObject(f)) return void (ok = !!this.fail(at, 'invalid_type', 'Expected {"property", "op", "value"}.'));
          if (!this.onlyKeys(f, at, ['property', 'op', 'value'])) return void (ok = false);
          const property = this.string(f['property'], `${at}.property`, 100);
          const checked = this.value(f, at);
          if (property === undefined || !checked) return void (ok = false);
          where.push({ property, ...checked });
        });
      }
    }
    if (!ok) return undefined;
    if (within !== undefined) this.timeWindow = true;
    return {
      node: 'activity',
      type: type!,
      op,
      ...(op === 'at_least' || op === 'at_most' ? { count: count as number } : {}),
      ...(within !== undefined ? { withinDays: within as number } : {}),
      where,
    };
  }

  /**
   * `op` + `value` of an attribute, custom field or property filter. `fixed` is the
   * attribute's own kind; without it the kind follows from the value.
   */
  private value(input: Record<string, unknown>, path: string, fixed?: ValueKind): CheckedValue | undefined {
    const op = input['op'];
    if (typeof op !== 'string' || !(VALUE_OPS as readonly string[]).includes(op)) {
      return this.fail(
        `${path}.op`,
        isRelativeOp(op) ? 'not_allowed' : 'invalid',
        isRelativeOp(op) ? `"${op}" applies to attributes and custom fields only.` : `Unknown operator; expected one of ${VALUE_OPS.join(', ')}.`,
      );
    }
    const valuePath = `${path}.value`;
    const value = input['value'];
    if (op === 'exists' || op === 'not_exists') {
      if (value !== undefined) return this.fail(valuePath, 'not_allowed', `"${op}" takes no value.`);
      return { op, kind: fixed ?? 'any' };
    }
    if (value === undefined) return this.fail(valuePath, 'required', `"${op}" needs a value.`);

    let kind: ValueKind | undefined;
    let normalised: RuleScalar | RuleScalar[];
    if (op === 'in' || op === 'not_in' || op === 'has_any' || op === 'has_all' || op === 'between') {
      if (!Array.isArray(value)) return this.fail(valuePath, 'invalid_type', `"${op}" needs an array value.`);
      if (op === 'between' && value.length !== 2) return this.fail(valuePath, 'invalid', '"between" needs [low, high].');
      if (value.length === 0 || value.length > RULE_LIMITS.maxListValues) {
        return this.fail(valuePath, 'invalid', `"${op}" needs 1 to ${RULE_LIMITS.maxListValues} values.`);
      }
      const kinds = new Set<ValueKind | undefined>(value.map((v, i) => this.scalarKind(v, `${valuePath}[${i}]`, fixed, op)));
      if (kinds.has(undefined)) return undefined;
      if (kinds.size !== 1) return this.fail(valuePath, 'invalid', `All values of "${op}" must have the same type.`);
      kind = op === 'has_any' || op === 'has_all' ? 'array' : [...kinds][0]!;
      if (op === 'has_any' || op === 'has_all') {
        if (!value.every((v) => typeof v === 'string')) return this.fail(valuePath, 'invalid_type', `"${op}" needs an array of strings.`);
      }
      normalised = value.map((v) => (kind === 'date' ? toIso(v as string) : (v as RuleScalar)));
      if (op === 'between' && kind !== 'text' && compare(normalised[0]!, normalised[1]!) > 0) {
        return this.fail(valuePath, 'invalid', '"between" needs low ≤ high.');
      }
    } else {
      kind = this.scalarKind(value, valuePath, fixed, op);
      if (!kind) return undefined;
      normalised = kind === 'date' ? toIso(value as string) : (value as RuleScalar);
    }
    if ((fixed && kind !== fixed) || (kind !== 'any' && !OPS_BY_KIND[kind].has(op as ValueOp))) {
      return this.fail(`${path}.op`, 'not_allowed', `Operator "${op}" does not apply to a ${kindName(fixed ?? kind)} value.`);
    }
    return { op: op as ValueOp, kind, value: normalised };
  }

  /** The kind of one scalar; with a fixed kind, the scalar must fit it. */
  private scalarKind(value: unknown, path: string, fixed: ValueKind | undefined, op: string): ValueKind | undefined {
    if (typeof value === 'string') {
      if (value.length > RULE_LIMITS.maxStringLength) return this.fail(path, 'too_long', `At most ${RULE_LIMITS.maxStringLength} characters.`);
      if (fixed === 'date' || (!fixed && ['gt', 'gte', 'lt', 'lte', 'between'].includes(op))) {
        if (!isIsoDate(value)) {
          return this.fail(
            path,
            'invalid',
            fixed === 'date' ? 'Expected an ISO-8601 date, e.g. 2025-01-31 or 2025-01-31T12:00:00Z.' : `"${op}" compares numbers or ISO-8601 dates.`,
          );
        }
        return 'date';
      }
      return 'text';
    }
    if (fixed === 'date') return this.fail(path, 'invalid_type', 'Expected an ISO-8601 date string.');
    if (fixed === 'text') return this.fail(path, 'invalid_type', 'Expected a string.');
    if (typeof value === 'number' && Number.isFinite(value)) return 'number';
    if (typeof value === 'boolean') return 'boolean';
    return this.fail(path, 'invalid_type', 'Expected a string, number or boolean.');
  }

  private string(value: unknown, path: string, max: number): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') return this.fail(path, 'invalid_type', 'Expected a non-empty string.');
    if (value.length > max) return this.fail(path, 'too_long', `At most ${max} characters.`);
    return value;
  }

  private onlyKeys(input: Record<string, unknown>, path: string, allowed: string[]): boolean {
    const unknown = Object.keys(input).filter((k) => !allowed.includes(k));
    for (const key of unknown) this.fail(`${path}.${key}`, 'unknown_field', `Unrecognized key: '${key}'.`);
    return unknown.length === 0;
  }
}

function isRelativeOp(op: unknown): op is RelativeDateOp {
  return typeof op === 'string' && (RELATIVE_DATE_OPS as readonly string[]).includes(op);
}

const timeZones = new Map<string, boolean>();

/** Whether the runtime knows the IANA zone (PostgreSQL reads the same tz database). */
export function isTimeZone(tz: string): boolean {
  if (tz.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  let known = timeZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    if (timeZones.size < 1000) timeZones.set(tz, known);
  }
  return known;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compare(a: RuleScalar, b: RuleScalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function kindName(kind: ValueKind): string {
  return kind === 'array' ? 'multi-select' : kind;
}

/**
 * Checks a rule tree. With `lookups`, also that referenced lists exist and
 * that each custom field operator fits the field's type. Throws
 * `ValidationFailed` (400) listing every problem with its path.
 */
export function checkRules(input: unknown, lookups?: RuleLookups, root = 'rules'): CheckedRules {
  const checker = new RuleChecker();
  const tree = input === undefined ? checker.fail(root, 'required', 'Rules are required.') : checker.node(input, root, 1);
  if (tree && lookups) {
    for (const ref of checker.listRefs) {
      if (!lookups.listExists(ref.id)) checker.fail(ref.path, 'not_found', `No list with id '${ref.id}'.`);
    }
    for (const ref of checker.segmentRefs) {
      if (!lookups.segmentExists(ref.id)) checker.fail(ref.path, 'not_found', `No segment with id '${ref.id}'.`);
    }
    for (const ref of checker.fieldRefs) {
      const fieldKind = lookups.fieldKind(ref.key);
      if (fieldKind && !FIELD_ACCEPTS[fieldKind].has(ref.kind)) {
        checker.fail(
          `${ref.path}.op`,
          'not_allowed',
          `Custom field '${ref.key}' holds ${fieldKind === 'array' ? 'multi-select' : fieldKind} values; "${ref.op}" with a ${kindName(ref.kind)} value does not apply.`,
        );
      }
    }
  }
  if (!tree || checker.details.length) throw new ValidationFailed(checker.details, 'The segment rules are invalid.');
  return {
    tree,
    listIds: [...new Set(checker.listRefs.map((r) => r.id))],
    segmentIds: [...new Set(checker.segmentRefs.map((r) => r.id))],
    timeWindow: checker.timeWindow,
  };
}

/** Referenced list ids and custom field keys of a raw tree, to prepare the lookups (no validation). */
export function ruleReferences(input: unknown): { listIds: string[]; fieldKeys: string[]; segmentIds: string[] } {
  const listIds = new Set<string>();
  const segmentIds = new Set<string>();
  const fieldKeys = new Set<string>();
  const walk = (n: unknown, depth: number): void => {
    if (depth > RULE_LIMITS.maxDepth + 1 || !isPlainObject(n)) return;
    if (typeof n['list'] === 'string') listIds.add(n['list']);
    if (typeof n['segment'] === 'string') segmentIds.add(n['segment']);
    if (typeof n['custom_field'] === 'string') fieldKeys.add(n['custom_field']);
    for (const key of ['and', 'or'] as const) if (Array.isArray(n[key])) (n[key] as unknown[]).slice(0, RULE_LIMITS.maxNodes).forEach((c) => walk(c, depth + 1));
    if ('not' in n) walk(n['not'], depth + 1);
  };
  walk(input, 0);
  return {
    listIds: [...listIds].slice(0, RULE_LIMITS.maxNodes),
    fieldKeys: [...fieldKeys].slice(0, RULE_LIMITS.maxNodes),
    segmentIds: [...segmentIds].slice(0, RULE_LIMITS.maxNodes),
  };
}
