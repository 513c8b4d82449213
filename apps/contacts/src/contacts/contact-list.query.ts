/**
 * The SQL of `GET /v1/contacts`: filters, sort and keyset cursors. Every
 * user value is a bind parameter; column names come only from the fixed
 * ORDERS table below.
 *
 * Order `sync` (the default when `updated_since` is given without `sort`)
 * walks contacts by the id of the transaction that last wrote them
 * (`sync_xid`) and only up to the oldest transaction still running in
 * this database (`SYNC_HORIZON`): a position once handed out can never be overtaken
 * by a later commit, so following cursors never skips a change (see
 * docs/contacts.md).
 */
import type { ListContactsQuery } from '@sigil/contracts';
import { decodeCursor as decodePosition, encodeCursor as encodePosition, ValidationFailed } from '@sigil/platform';

export type SortKey = 'sync' | 'created_at' | 'updated_at' | 'email';
export type Direction = 'asc' | 'desc';
export interface Order {
  key: SortKey;
  dir: Direction;
}

/** Position after the last row of a page: sort key, direction, sort value, id. */
export interface Cursor {
  k: SortKey;
  d: Direction;
  v: string;
  i: string;
}

/** The sort expression and the cursor value column of each order. */
const ORDERS: Record<SortKey, { expr: string; cast: string; value: string } | null> = {
  // Ids embed their creation millisecond: ordering by id is ordering by created_at, with a unique tie-break.
  created_at: null,
  updated_at: { expr: 'c.updated_at', cast: 'timestamptz', value: 'updated_pos' },
  email: { expr: 'lower(c.email)', cast: 'text', value: 'email' },
  sync: { expr: 'c.sync_xid', cast: 'xid8', value: 'sync_pos' },
};

/**
 * The sync horizon: the oldest transaction still running *in this database*
 * (the snapshot's xmax when none is). `pg_snapshot_xmin` alone is the oldest on
 * the whole server, so a long write in another service's database sharing the
 * server would hold every sync back. An in-progress xid is left out only when
 * `pg_stat_activity` shows it held by a backend of another database (a
 * backend never changes database, and 32-bit ids of running transactions are
 * unique); one it cannot place (a prepared transaction, a backend that just
 * ended) still counts, so the horizon errs on the side of waiting.
 */
export const SYNC_HORIZON = `(SELECT coalesce(
      (SELECT min(x) FROM pg_snapshot_xip(s.snap) AS x WHERE NOT EXISTS (
        SELECT 1 FROM pg_stat_activity a
        WHERE a.backend_xid::text::bigint = x::text::bigint % 4294967296 AND a.datname <> current_database())),
      pg_snapshot_xmax(s.snap))
    FROM (SELECT pg_current_snapshot() AS snap) AS s)`;

/** A timestamptz as PostgreSQL prints it (cursor values are checked before they reach a cast). */
export const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** A cursor of this list: its order travels with it, and its value is checked before it reaches a cast. */
function isContactCursor(value: unknown): value is Cursor {
  const c = value as Partial<Cursor> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.k === 'string' &&
    Object.prototype.hasOwnProperty.call(ORDERS, c.k) &&
    (c.d === 'asc' || c.d === 'desc') &&
    typeof c.v === 'string' &&
    typeof c.i === 'string' &&
    (c.k !== 'sync' || /^\d{1,20}$/.test(c.v)) &&
    (c.k !== 'updated_at' || PG_TIMESTAMP.test(c.v))
  );
}

export function encodeCursor(cursor: Cursor): string {
  return encodePosition(cursor);
}

export function decodeCursor(raw: string): Cursor {
  return decodePosition(raw, isContactCursor);
}

export function parseSort(sort: string): Order {
  const desc = sort.startsWith('-') || sort.endsWith(':desc');
  const key = sort.replace(/^-/, '').replace(/:(asc|desc)$/, '') as SortKey;
  return { key, dir: desc ? 'desc' : 'asc' };
}

/** The order of a request: the cursor's, else `sort`, else sync order with `updated_since`, else created_at. */
export function resolveOrder(query: ListContactsQuery, cursor: Cursor | null, idOrderOnly: boolean): Order {
  const requested = query.sort ? parseSort(query.sort) : null;
  if (cursor && requested && (requested.key !== cursor.k || requested.dir !== cursor.d)) {
    throw new ValidationFailed([{ field: 'cursor', code: 'invalid', message: 'this cursor belongs to another sort order' }]);
  }
  const order: Order = cursor ? { key: cursor.k, dir: cursor.d } : (requested ?? (query.updated_since ? { key: 'sync', dir: 'asc' } : { key: 'created_at', dir: 'asc' }));
  if (idOrderOnly && (order.key !== 'created_at' || order.dir !== 'asc')) {
    throw new ValidationFailed([{ field: 'sort', code: 'invalid', message: 'contacts of a list or segment are listed by created_at ascending only' }]);
  }
  return order;
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (m) => `\\${m}`);
}

export interface ListSqlInput {
  tenantId: string;
  mode: string;
  query: ListContactsQuery;
  order: Order;
  cursor: Cursor | null;
  /** Rows to fetch (limit + 1 to learn has_more). */
  fetch: number;
  offset: number;
  /** Restrict to these ids (members of a list or segment). */
  ids?: string[];
}

/** Whether a suppression of the contact's tenant matches its email or domain: two unique-index probes per row. */
export const SUPPRESSED_SQL = `(EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = c.tenant_id AND s.mode = c.mode AND s.email = lower(c.email))
  OR EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = c.tenant_id AND s.mode = c.mode AND s.domain = split_part(lower(c.email), '@', 2)))`;

export const CONTACT_COLUMNS = `c.id, c.external_id, c.email, c.first_name, c.last_name, c.phone, c.tags, c.custom_fields, c.subscription_status,
  ${SUPPRESSED_SQL} AS suppressed, c.version, c.created_at, c.updated_at`;

export function listSql(input: ListSqlInput): { sql: string; params: unknown[] } {
  const params: unknown[] = [input.tenantId, input.mode];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['c.tenant_id = $1', 'c.mode = $2'];
  const { query, order, cursor } = input;
  if (query.tag) where.push(`c.tags @> ARRAY[${p(query.tag)}]::text[]`);
  if (query.external_id) where.push(`c.external_id = ${p(query.external_id)}`);
  if (query.updated_since) {
    const since = p(query.updated_since);
    where.push(`c.updated_at >= ${since}::timestamptz`);
    // In sync order the walk would otherwise start at the tenant's oldest position and filter its way up to
    // the first recent change (the whole tenant, for a recent `updated_since`: 1.6 s at 1 M contacts). Every
    // row it may return has a position at or after the lowest one among the rows changed since then: start
    // there, found by an index-only read of those rows (`contacts_tenant_updated_sync`). The FILTER keeps the
    // planner from turning min() into "first row by sync_xid whose updated_at fits" — the very scan avoided
    // here (it assumes the two columns independent; they are correlated). No such row, no result.
    if (input.order.key === 'sync') {
      where.push(
        `c.sync_xid >= (SELECT min(u.sync_xid) FILTER (WHERE true) FROM contacts u WHERE u.tenant_id = $1 AND u.mode = $2 AND u.updated_at >= ${since}::timestamptz)`,
      );
    }
  }
  if (query.q) {
    const prefix = p(`${escapeLike(query.q.toLowerCase())}%`);
    where.push(`(lower(c.email) LIKE ${prefix} OR lower(c.first_name) LIKE ${prefix} OR lower(c.last_name) LIKE ${prefix})`);
  }
  if (input.ids) where.push(`c.id = ANY(${p(input.ids)}::text[])`);
  if (order.key === 'sync') where.push(`c.sync_xid < ${SYNC_HORIZON}`);

  const cmp = order.dir === 'asc' ? '>' : '<';
  const spec = ORDERS[order.key];
  if (cursor) {
    if (!spec) where.push(`c.id ${cmp} ${p(cursor.i)}`);
    else if (order.key === 'email') where.push(`${spec.expr} ${cmp} ${p(cursor.v)}`);
    else where.push(`(${spec.expr}, c.id) ${cmp} (${p(cursor.v)}::${spec.cast}, ${p(cursor.i)})`);
  }
  const dir = order.dir.toUpperCase();
  const orderBy = !spec ? `c.id ${dir}` : order.key === 'email' ? `${spec.expr} ${dir}` : `${spec.expr} ${dir}, c.id ${dir}`;
  const sql = `
    SELECT ${CONTACT_COLUMNS}, c.sync_xid::text AS sync_pos, c.updated_at::text AS updated_pos
    FROM contacts c
    WHERE ${where.join(' AND ')}
    ORDER BY ${orderBy}
    LIMIT ${p(input.fetch)} OFFSET ${p(input.offset)}`;
  return { sql, params };
}

/** The cursor that resumes after `row`. */
export function cursorAfter(order: Order, row: { id: string; email: string; sync_pos: string; updated_pos: string }): string {
  const spec = ORDERS[order.key];
  const value = !spec ? row.id : (row as unknown as Record<string, string>)[spec.value]!;
  return encodeCursor({ k: order.key, d: order.dir, v: value, i: row.id });
}
