/**
 * Read-model contacts by a list of ids, one primary-key probe per id.
 *
 * `WHERE c.id = ANY($ids)` leaves the plan to the statistics: with a few
 * thousand ids and a cheap predicate (a relative date on `created_at`, a lock
 * with no predicate at all), PostgreSQL prefers a (parallel) scan of the whole
 * table — once per chunk, so a backfill over 1 M contacts read the table ~500
 * times and was not done after 15 minutes (issue #17). A subquery with LIMIT 1
 * per id is never flattened into a join, so the plan is a nested loop of index
 * probes whatever the table size and statistics say.
 */

/**
 * A FROM item exposing the contacts whose ids are in the `text[]` placeholder
 * `ids`, aliased `c` (every column), in the array's order; `$1` and `$2` must
 * be the tenant and mode. `lock` row-locks them in that order (pass sorted ids,
 * so lockers never deadlock); `liveOnly` leaves tombstones out (unlocked).
 * `everyId` keeps a row for an id the read model does not hold (`u.id` set,
 * every column of `c` NULL).
 */
export function contactsByIds(ids: string, options: { lock?: 'SHARE' | 'UPDATE'; liveOnly?: boolean; everyId?: boolean } = {}): string {
  const live = options.liveOnly ? ' AND NOT c0.deleted' : '';
  const lock = options.lock ? ` FOR ${options.lock}` : '';
  const contact = `(SELECT * FROM contacts c0 WHERE c0.tenant_id = $1 AND c0.mode = $2 AND c0.id = u.id${live} LIMIT 1${lock}) c`;
  return options.everyId ? `unnest(${ids}) AS u(id) LEFT JOIN LATERAL ${contact} ON true` : `unnest(${ids}) AS u(id) CROSS JOIN LATERAL ${contact}`;
}

/** Distinct ids in the order every locker uses (PostgreSQL's `ORDER BY id` in the C collation). */
export function lockOrder(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}
