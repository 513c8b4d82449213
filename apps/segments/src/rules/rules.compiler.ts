/**
 * Compiles a checked rule tree into a boolean SQL predicate over the read
 * model (`contacts` aliased `c`). Every value from the rule — strings, keys,
 * ids, numbers — goes in as a bind parameter with an explicit cast; the SQL
 * text is built only from fixed fragments and column names from a whitelist.
 * JSON values (custom fields, activity properties) are read through type
 * guards, so a value of another type never matches and never raises.
 */
import { createHash } from 'node:crypto';
import type { RuleAttribute, RuleScalar } from '@sigil/contracts';
import type { CheckedNode, CheckedRelative, CheckedValue } from './rules.validator';

/** Bind parameters of one statement: `add` returns the placeholder, cast included. */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(initial: unknown[] = []) {
    this.values.push(...initial);
  }

  add(value: unknown, cast: 'text' | 'text[]' | 'numeric' | 'numeric[]' | 'timestamptz' | 'timestamptz[]' | 'boolean' | 'int'): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const ATTRIBUTE_COLUMNS: Record<RuleAttribute, string> = {
  email: 'c.email',
  first_name: 'c.first_name',
  last_name: 'c.last_name',
  phone: 'c.phone',
  created_at: 'c.created_at',
  updated_at: 'c.updated_at',
};

/** Typed views of one value: a column, or a JSON value read through type guards. */
interface ValueSource {
  text: string;
  number: string;
  date: string;
  /** The value as an instant, a date or date-time without offset read in the time zone `tz()` (a bind placeholder, added when used). */
  dateIn(tz: () => string): string;
  boolean: string;
  array: string;
  present: string;
}

function columnSource(column: string): ValueSource {
  return {
    text: column,
    number: 'NULL::numeric',
    date: column,
    dateIn: () => column,
    boolean: 'NULL::boolean',
    array: 'NULL::jsonb',
    present: `(${column} IS NOT NULL AND ${column}::text <> '')`,
  };
}

/** A value at `key` (a placeholder) of a JSON object column. */
function jsonSource(object: string, key: string): ValueSource {
  const json = `(${object} -> ${key})`;
  const str = `CASE WHEN jsonb_typeof(${json}) = 'string' THEN ${json} #>> '{}' END`;
  // For dates, `->>` is the same as the type-guarded string and cheaper: only a JSON string's
  // text can start like a date (numbers, booleans, arrays and objects never read as one).
  // A missing key is no date: without the guard, NULL took the helper's slow path (an
  // exception block, a subtransaction) once per contact without the field.
  const dateText = `(${object} ->> ${key})`;
  return {
    text: `(${str})`,
    number: `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::numeric END)`,
    date: `(CASE WHEN ${dateText} IS NOT NULL THEN sigil_try_timestamptz(${dateText}) END)`,
    dateIn: (tz) => `(CASE WHEN ${dateText} IS NOT NULL THEN sigil_try_timestamptz(${dateText}, ${tz()}) END)`,
    boolean: `(CASE WHEN jsonb_typeof(${json}) = 'boolean' THEN (${json})::boolean END)`,
    array: `(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} END)`,
    present: `(jsonb_typeof(${json}) IS DISTINCT FROM 'null' AND ${json} IS NOT NULL AND ${json} <> '""'::jsonb AND ${json} <> '[]'::jsonb)`,
  };
}

/** `%`, `_` and `\` in user text match themselves in LIKE patterns. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

function lowerAll(values: RuleScalar[]): string[] {
  return values.map((v) => String(v).toLowerCase());
}

function compare(source: ValueSource, cond: CheckedValue, p: SqlParams): string {
  const { op, kind, value } = cond;
  if (op === 'exists') return source.present;
  if (op === 'not_exists') return `NOT ${source.present}`;
  const list = Array.isArray(value) ? value : [];
  switch (kind) {
    case 'text': {
      const e = `lower(${source.text})`;
      const one = () => `lower(${p.add(String(value), 'text')})`;
      switch (op) {
        case 'eq':
          return `${e} = ${one()}`;
        case 'neq':
          return `${e} IS DISTINCT FROM ${one()}`;
        case 'contains':
          return `${source.text} ILIKE ${p.add(`%${escapeLike(String(value))}%`, 'text')}`;
        case 'starts_with':
          return `${source.text} ILIKE ${p.add(`${escapeLike(String(value))}%`, 'text')}`;
        case 'ends_with':
          return `${source.text} ILIKE ${p.add(`%${escapeLike(String(value))}`, 'text')}`;
        case 'in':
          return `${e} = ANY(${p.add(lowerAll(list), 'text[]')})`;
        case 'not_in':
          return `NOT coalesce(${e} = ANY(${p.add(lowerAll(list), 'text[]')}), false)`;
        case 'between':
          return `${e} BETWEEN lower(${p.add(String(list[0]), 'text')}) AND lower(${p.add(String(list[1]), 'text')})`;
        default:
          return `${e} ${SQL_COMPARISON[op as keyof typeof SQL_COMPARISON]} ${one()}`;
      }
    }
    case 'number':
    case 'date': {
      const e = kind === 'number' ? source.number : source.date;
      const cast = kind === 'number' ? 'numeric' : 'timestamptz';
      switch (op) {
        case 'neq':
          return `${e} IS DISTINCT FROM ${p.add(value, cast)}`;
        case 'in':
          return `${e} = ANY(${p.add(list, `${cast}[]`)})`;
        case 'not_in':
          return `NOT coalesce(${e} = ANY(${p.add(list, `${cast}[]`)}), false)`;
        case 'between':
          return `${e} BETWEEN ${p.add(list[0], cast)} AND ${p.add(list[1], cast)}`;
        default:
          return `${e} ${SQL_COMPARISON[op as keyof typeof SQL_COMPARISON]} ${p.add(value, cast)}`;
      }
    }
    case 'boolean':
      return op === 'eq' ? `${source.boolean} = ${p.add(value, 'boolean')}` : `${source.boolean} IS DISTINCT FROM ${p.add(value, 'boolean')}`;
    case 'array':
      return `${source.array} ${op === 'has_all' ? '?&' : '?|'} ${p.add(list.map(String), 'text[]')}`;
    case 'any':
      throw new Error(`operator ${op} needs a typed value`);
  }
}

const SQL_COMPARISON = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * A date compared with the clock's "now" (docs/segments.md, "Relative dates"):
 * the day counts are exact multiples of 24 h from now; anniversaries compare
 * calendar dates in the rule's time zone, a 29 February falling on 28 February
 * in other years.
 */
function relative(source: ValueSource, cond: CheckedRelative, p: SqlParams, now: Date): string {
  let tzParam: string | undefined;
  const tz = () => (tzParam ??= p.add(cond.tz, 'text'));
  const e = source.dateIn(tz);
  const at = p.add(now.toISOString(), 'timestamptz');
  const days = () => `make_interval(days => ${p.add(cond.days, 'int')})`;
  switch (cond.op) {
    case 'older_than_days':
      return `${e} < ${at} - ${days()}`;
    // Inclusive ranges rather than BETWEEN, which would evaluate the date (a parse, for custom fields) twice.
    case 'within_last_days':
      return `${e} <@ tstzrange(${at} - ${days()}, ${at}, '[]')`;
    case 'within_next_days':
      return `${e} <@ tstzrange(${at}, ${at} + ${days()}, '[]')`;
    case 'anniversary_within_days':
      return `sigil_days_to_anniversary((${e} AT TIME ZONE ${tz()})::date, (${at} AT TIME ZONE ${tz()})::date) <= ${p.add(cond.days, 'int')}`;
  }
}

/** Salted bucket of a contact, 0–9999: the first 32 bits of md5(id ":" salt) modulo 10 000 (see `bucketOf`). */
export function bucketSql(contactId: string, salt: string): string {
  return `(('x' || substr(md5(${contactId} || ':' || ${salt}), 1, 8))::bit(32)::bigint % 10000)`;
}

export interface CompileOptions {
  /** "Now" for `within_days` windows: the injectable clock's time. */
  now: Date;
  /** Alias of the contacts row. */
  alias?: 'c';
  /**
   * A referenced segment's membership as a predicate over `c`, for a caller
   * that decides that segment in the same statement; undefined (or no
   * function): the materialised membership is read.
   */
  segmentPredicate?: (segmentId: string, p: SqlParams) => string | undefined;
}

/** A boolean SQL expression, true exactly for contacts matching the rules. */
export function compileRules(node: CheckedNode, p: SqlParams, options: CompileOptions): string {
  switch (node.node) {
    case 'and':
    case 'or':
      return `(${node.children.map((c) => compileRules(c, p, options)).join(node.node === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileRules(node.child, p, options)})`;
    case 'attribute': {
      const source = columnSource(ATTRIBUTE_COLUMNS[node.attribute]);
      return guard(node.kind === 'relative' ? relative(source, node, p, options.now) : compare(source, node, p));
    }
    case 'custom_field': {
      const source = jsonSource('c.custom_fields', p.add(node.key, 'text'));
      return guard(node.kind === 'relative' ? relative(source, node, p, options.now) : compare(source, node, p));
    }
    case 'segment': {
      const inline = options.segmentPredicate?.(node.segmentId, p);
      const member =
        inline !== undefined
          ? guard(inline)
          : `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.tenant_id = c.tenant_id AND sm.mode = c.mode AND sm.segment_id = ${p.add(node.segmentId, 'text')} AND sm.contact_id = c.id)`;
      return guard(node.op === 'in' ? member : `NOT ${member}`);
    }
    case 'random_bucket': {
      const bucket = bucketSql('c.id', p.add(node.salt, 'text'));
      return guard(`${bucket} >= ${p.add(node.fromBasisPoints, 'int')} AND ${bucket} < ${p.add(node.toBasisPoints, 'int')}`);
    }
    case 'subscription_status': {
      const eq = `c.subscription_status = ${p.add(node.status, 'text')}`;
      return guard(node.op === 'eq' ? eq : `NOT (${eq})`);
    }
    case 'tag': {
      const has = `${p.add(node.tag, 'text')} = ANY(c.tags)`;
      return guard(node.op === 'has' ? has : `NOT (${has})`);
    }
    case 'list': {
      const exists = `EXISTS (SELECT 1 FROM list_members lm WHERE lm.tenant_id = c.tenant_id AND lm.mode = c.mode AND lm.list_id = ${p.add(node.listId, 'text')} AND lm.contact_id = c.id)`;
      return guard(node.op === 'in' ? exists : `NOT ${exists}`);
    }
    case 'activity': {
      let from = `FROM contact_activities a WHERE a.tenant_id = c.tenant_id AND a.mode = c.mode AND a.contact_id = c.id AND a.type = ${p.add(node.type, 'text')}`;
      if (node.withinDays !== undefined) {
        from += ` AND a.occurred_at > ${p.add(options.now.toISOString(), 'timestamptz')} - make_interval(days => ${p.add(node.withinDays, 'int')})`;
      }
      for (const filter of node.where) {
        from += ` AND ${guard(compare(jsonSource('a.properties', p.add(filter.property, 'text')), filter, p))}`;
      }
      switch (node.op) {
        case 'ever':
          return `EXISTS (SELECT 1 ${from})`;
        case 'never':
          return `NOT EXISTS (SELECT 1 ${from})`;
        case 'at_least':
          // Counting stops at `count` rows: enough to decide.
          return `((SELECT count(*) FROM (SELECT 1 ${from} LIMIT ${p.add(node.count, 'int')}) x) >= ${p.add(node.count, 'int')})`;
        case 'at_most':
          return `((SELECT count(*) FROM (SELECT 1 ${from} LIMIT ${p.add(node.count! + 1, 'int')}) x) <= ${p.add(node.count, 'int')})`;
      }
    }
  }
}

/**
 * The consent default (SPEC §12): unless a segment asks `include_unsubscribed`,
 * only subscribed, unsuppressed contacts are members.
 */
export function withConsent(predicate: string, includeUnsubscribed: boolean): string {
  return includeUnsubscribed ? predicate : `(c.subscription_status = 'subscribed' AND NOT c.suppressed AND ${predicate})`;
}

/** SQL NULL (unknown) counts as "does not match", so `not` negates what users expect. */
function guard(predicate: string): string {
  return `coalesce((${predicate}), false)`;
}

/** The bucket `bucketSql` computes in PostgreSQL, for tests and tooling: 0–9999. */
export function bucketOf(contactId: string, salt: string): number {
  return createHash('md5').update(`${contactId}:${salt}`, 'utf8').digest().readUInt32BE(0) % 10000;
}
