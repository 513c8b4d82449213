/**
 * List pagination of the segments service (SPEC §2): `page`+`limit` (offset)
 * or an opaque keyset `cursor` over ids, whichever the client sends.
 */
import { SegmentsPageQuerySchema, type PageMeta } from '@sigil/contracts';
import { parseOrThrow, ValidationFailed } from '@sigil/platform';

export interface PageRequest {
  /** Exclusive lower bound on the id (keyset), '' from the start. */
  after: string;
  offset: number;
  limit: number;
  page?: number;
}

export function readPage(input: unknown): PageRequest {
  const q = parseOrThrow(SegmentsPageQuerySchema, input ?? {});
  if (q.cursor !== undefined) return { after: decodeCursor(q.cursor), offset: 0, limit: q.limit };
  const page = q.page ?? 1;
  return { after: '', offset: (page - 1) * q.limit, limit: q.limit, page };
}

/** Rows were fetched with `limit + 1`; the extra one only says there is more. */
export function toPage<T extends { id: string }>(rows: T[], req: PageRequest): { items: T[]; meta: PageMeta } {
  const hasMore = rows.length > req.limit;
  const items = hasMore ? rows.slice(0, req.limit) : rows;
  const last = items[items.length - 1];
  return {
    items,
    meta: {
      ...(req.page !== undefined ? { page: req.page } : {}),
      limit: req.limit,
      has_more: hasMore,
      next_cursor: hasMore && last ? encodeCursor(last.id) : null,
    },
  };
}

function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ a: after })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof parsed.a === 'string' && parsed.a.length <= 64) return parsed.a;
  } catch {
    // fall through
  }
  throw new ValidationFailed([{ field: 'cursor', code: 'invalid', message: 'This cursor is not valid; use next_cursor from a previous page.' }]);
}
