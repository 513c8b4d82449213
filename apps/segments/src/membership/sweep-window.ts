/**
 * Which contacts can change membership of a segment with time alone between
 * two sweeps, so a sweep does work proportional to what can change rather
 * than comparing every contact with the rules every 30 s (issue #17).
 *
 * If the membership was exact at `from` (the last complete sweep; events
 * re-evaluate a contact whenever its data changes), a condition's truth can
 * only have flipped by `to` for values that crossed one of its boundaries:
 *
 * | condition | flips when the value `d` is in |
 * |---|---|
 * | `older_than_days` N | [from − N, to − N] |
 * | `within_last_days` N | [from − N, to − N] or [from, to] |
 * | `within_next_days` N | [from, to] or [from + N, to + N] |
 * | `anniversary_within_days` | anything, if the calendar day in its zone changed; else nothing |
 * | activity `within_days` D | activities with `occurred_at` in [from − D, to − D] |
 *
 * and the rest (tags, lists, fields compared with fixed values, segments of
 * segments — those follow their inner segment live) cannot flip at all. A
 * tree can flip only where one of its conditions does, so its window is the
 * union of theirs. Bounds are computed in SQL with the compiler's own
 * arithmetic (rules.compiler.ts), so both agree on every instant.
 *
 * `created_at` and activities are found by index; `updated_at` and custom
 * fields have none (an index on `updated_at` would make every contact event
 * a non-HOT update, and custom field keys are the tenant's): their windows
 * read the tenant's contacts, but compare only a column, or a custom field's
 * text with the window's calendar days (a date string is parsed only when
 * its day is near the window), not the rules.
 */
import type { CheckedNode } from '../rules/rules.validator';
import type { SqlParams } from '../rules/rules.compiler';

/** A SELECT of contact ids (column `id`) over the statement's `$1` tenant and `$2` mode. */
export type IdSource = (p: SqlParams) => string;

export type SweepWindow = { kind: 'none' } | { kind: 'all' } | { kind: 'some'; sources: IdSource[] };

const NONE: SweepWindow = { kind: 'none' };
const ALL: SweepWindow = { kind: 'all' };

export interface WindowBounds {
  from: Date;
  to: Date;
  /** Whether the calendar day in this time zone differs between `from` and `to`. */
  dayChanged(tz: string): boolean;
}

/** The time zones whose calendar day decides anniversaries in the tree (`dayChanged` is asked about these). */
export function anniversaryZones(tree: CheckedNode): string[] {
  const zones = new Set<string>();
  const visit = (node: CheckedNode): void => {
    if (node.node === 'and' || node.node === 'or') node.children.forEach(visit);
    else if (node.node === 'not') visit(node.child);
    else if ((node.node === 'attribute' || node.node === 'custom_field') && node.kind === 'relative' && node.op === 'anniversary_within_days') zones.add(node.tz);
  };
  visit(tree);
  return [...zones];
}

export function sweepWindow(tree: CheckedNode, bounds: WindowBounds): SweepWindow {
  switch (tree.node) {
    case 'and':
    case 'or':
      return union(tree.children.map((c) => sweepWindow(c, bounds)));
    case 'not':
      return sweepWindow(tree.child, bounds);
    case 'attribute':
    case 'custom_field': {
      if (tree.kind !== 'relative') return NONE;
      if (tree.op === 'anniversary_within_days') return bounds.dayChanged(tree.tz) ? ALL : NONE;
      const days = tree.days;
      // A custom field's text is compared before it is parsed (see textRange): the parse runs for the few in range.
      const value = (p: SqlParams, sign: -1 | 0 | 1) => {
        if (tree.node === 'attribute') return `c.${tree.attribute}`;
        const text = `(c.custom_fields ->> ${p.add(tree.key, 'text')})`;
        const [lo, hi] = textRange(bounds, days, sign);
        return `(CASE WHEN ${text} COLLATE "C" >= ${p.add(lo, 'text')} AND ${text} COLLATE "C" < ${p.add(hi, 'text')}
                 THEN sigil_try_timestamptz(${text}, ${p.add(tree.tz, 'text')}) END)`;
      };
      const shifted = (sign: -1 | 0 | 1) => dateRange((p) => value(p, sign), bounds, days, sign);
      switch (tree.op) {
        case 'older_than_days':
          return { kind: 'some', sources: [shifted(-1)] };
        case 'within_last_days':
          return { kind: 'some', sources: [shifted(-1), shifted(0)] };
        case 'within_next_days':
          return { kind: 'some', sources: [shifted(0), shifted(1)] };
      }
      return ALL;
    }
    case 'activity': {
      if (tree.withinDays === undefined) return NONE;
      const days = tree.withinDays;
      return {
        kind: 'some',
        sources: [
          (p) => {
            const [lo, hi] = shiftedBounds(p, bounds, days, -1);
            return `SELECT a.contact_id AS id FROM contact_activities a
                     WHERE a.tenant_id = $1 AND a.mode = $2 AND a.type = ${p.add(tree.type, 'text')} AND a.occurred_at BETWEEN ${lo} AND ${hi}`;
          },
        ],
      };
    }
    default:
      return NONE;
  }
}

function union(windows: SweepWindow[]): SweepWindow {
  if (windows.some((w) => w.kind === 'all')) return ALL;
  const sources = windows.flatMap((w) => (w.kind === 'some' ? w.sources : []));
  return sources.length ? { kind: 'some', sources } : NONE;
}

/** `[from, to]` moved by `sign` × `days` days, as the compiler moves "now" (`make_interval(days => N)`). */
function shiftedBounds(p: SqlParams, bounds: WindowBounds, days: number, sign: -1 | 0 | 1): [string, string] {
  const from = p.add(bounds.from.toISOString(), 'timestamptz');
  const to = p.add(bounds.to.toISOString(), 'timestamptz');
  if (sign === 0) return [from, to];
  const shift = `make_interval(days => ${p.add(days, 'int')})`;
  const op = sign < 0 ? '-' : '+';
  return [`${from} ${op} ${shift}`, `${to} ${op} ${shift}`];
}

/**
 * Bounds on a custom field's text that every date string whose instant can
 * lie in the shifted window passes: a string the date helpers read starts
 * with its calendar date (`YYYY-MM-DD`, in the string's own offset or the
 * rule's zone, at most 14 h from UTC), and such strings sort as their dates
 * in the C collation. Two days of margin on each side cover the offsets.
 */
function textRange(bounds: WindowBounds, days: number, sign: -1 | 0 | 1): [string, string] {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const shift = sign * days * 86_400_000;
  return [day(bounds.from.getTime() + shift - 2 * 86_400_000), day(bounds.to.getTime() + shift + 3 * 86_400_000)];
}

function dateRange(value: (p: SqlParams) => string, bounds: WindowBounds, days: number, sign: -1 | 0 | 1): IdSource {
  return (p) => {
    const [lo, hi] = shiftedBounds(p, bounds, days, sign);
    return `SELECT c.id FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND ${value(p)} BETWEEN ${lo} AND ${hi}`;
  };
}
