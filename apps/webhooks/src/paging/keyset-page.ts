/**
 * Pagination of the webhooks lists (newest first, by time-sortable id):
 * `page`+`limit` (offset) or an opaque `cursor` (keyset: rows older than the
 * last id seen), answered with `has_more` and `next_cursor`.
 */
import type { PageMeta } from '@sigil/contracts';
import { ValidationFailed } from '@sigil/platform';

export interface PageRequest {
  page?: number;
  limit: number;
  cursor?: string;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    if (typeof parsed.before === 'string' && /^[a-z]+_[0-9A-Z]{26}$/.test(parsed.before)) return parsed.before;
  } catch {
    // falls through to the validation error
  }
  throw new ValidationFailed([{ field: 'cursor', code: 'invalid', message: 'not a cursor returned by this API' }]);
}

/** SQL tail for `ORDER BY id DESC` pages; `next` is the index of the next positional parameter. */
export function pageClause(req: PageRequest, next: number): { where: string; tail: string; params: unknown[] } {
  if (req.cursor) {
    return { where: ` AND id < $${next}`, tail: ` ORDER BY id DESC LIMIT $${next + 1}`, params: [decodeCursor(req.cursor), req.limit + 1] };
  }
  const offset = ((req.page ?? 1) - 1) * req.limit;
  return { where: '', tail: ` ORDER BY id DESC LIMIT $${next} OFFSET $${next + 1}`, params: [req.limit + 1, offset] };
}

/** Trims the extra row fetched to detect `has_more` and builds the page meta. */
export function toPage<R extends { id: string }>(rows: R[], req: PageRequest, total?: number): { rows: R[]; page: PageMeta } {
  const hasMore = rows.length > req.limit;
  const kept = hasMore ? rows.slice(0, req.limit) : rows;
  const page: PageMeta = {
    limit: req.limit,
    has_more: hasMore,
    next_cursor: hasMore && kept.length ? encodeCursor(kept[kept.length - 1]!.id) : null,
  };
  if (!req.cursor) page.page = req.page ?? 1;
  if (total !== undefined) page.total = total;
  return { rows: kept, page };
}
