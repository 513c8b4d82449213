/**
 * The one way every list pages (SPEC §2): `page`+`limit` (offset) or an
 * opaque keyset `cursor`, answered with `{data, page: {limit, has_more,
 * next_cursor, page?, total?}}`.
 *
 * A cursor is the position of the last row of a page (its sort value and
 * id, or just its id), JSON in base64url. Each list says what a valid
 * position looks like; anything else, a forged or truncated cursor or one of
 * another list, is a 400 `validation_failed` on `cursor` in the error
 * envelope, never a query run with a bogus bound.
 */
import { MAX_CURSOR_LENGTH, type PageMeta } from '@sigil/contracts';
import { ValidationFailed } from '../errors/domain-errors';
import { isId } from '../ids';

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function invalidCursor(message = 'not a cursor returned by this API'): ValidationFailed {
  return new ValidationFailed([{ field: 'cursor', code: 'invalid', message }]);
}

/** The position in `raw`, if `isPosition` accepts it; otherwise a 400. */
export function decodeCursor<P>(raw: string, isPosition: (value: unknown) => value is P): P {
  // Cursors are small; a longer one is not ours (the list-query schemas refuse it first).
  if (raw.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(raw)) {
    try {
      const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
      if (isPosition(value)) return value;
    } catch {
      // not JSON: refused below
    }
  }
  throw invalidCursor();
}

/** A position that is one id of the given prefix (`key`, `lst`…): ids are unique and time-sortable. */
export function isIdOf(prefix: string): (value: unknown) => value is string {
  return (value: unknown): value is string => isId(prefix, value);
}

/** What a list query asks for, as every list-query schema in contracts has it (`pageQueryFields`). */
export interface PageQuery {
  page?: number;
  limit?: number;
  cursor?: string;
}

/** Where a page starts: after a cursor's position, or at an offset. */
export interface PageWindow<P> {
  limit: number;
  /** The decoded cursor, when the client sent one. */
  after?: P;
  /** Rows to skip (page mode; 0 with a cursor). */
  offset: number;
  /** The page number in page mode; absent with a cursor. */
  page?: number;
}

export function pageWindow<P>(query: PageQuery, defaultLimit: number, isPosition: (value: unknown) => value is P): PageWindow<P> {
  const limit = query.limit ?? defaultLimit;
  if (query.cursor !== undefined) return { limit, after: decodeCursor(query.cursor, isPosition), offset: 0 };
  const page = query.page ?? 1;
  return { limit, offset: (page - 1) * limit, page };
}

/**
 * A page from rows fetched with `LIMIT limit + 1` (the extra row only says
 * there is more); `positionOf` gives the cursor position of a row.
 */
export function keysetPage<R, P>(
  rows: R[],
  window: Pick<PageWindow<P>, 'limit' | 'page'>,
  positionOf: (row: R) => P,
  extra: { total?: number } = {},
): { items: R[]; meta: PageMeta } {
  const hasMore = rows.length > window.limit;
  const items = hasMore ? rows.slice(0, window.limit) : rows;
  const last = items[items.length - 1];
  const meta: PageMeta = {
    ...(window.page !== undefined ? { page: window.page } : {}),
    limit: window.limit,
    ...(extra.total !== undefined ? { total: extra.total } : {}),
    has_more: hasMore,
    next_cursor: hasMore && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
  return { items, meta };
}
