/**
 * The SQL of the webhooks lists' pages, newest first by time-sortable id:
 * rows older than the cursor's id, or an offset. The window itself (cursor
 * decoding and validation, page meta) is the platform's keyset helper.
 */
import type { PageWindow } from '@sigil/platform';

/** A page's condition (appended to the WHERE), its ORDER BY/LIMIT tail, and their parameters. */
export interface PageClause {
  where: string;
  tail: string;
  params: unknown[];
}

/** SQL tail for `ORDER BY id DESC` pages; `next` is the index of the next positional parameter. */
export function pageClause(window: PageWindow<string>, next: number): PageClause {
  if (window.after !== undefined) {
    return { where: ` AND id < $${next}`, tail: ` ORDER BY id DESC LIMIT $${next + 1}`, params: [window.after, window.limit + 1] };
  }
  return { where: '', tail: ` ORDER BY id DESC LIMIT $${next} OFFSET $${next + 1}`, params: [window.limit + 1, window.offset] };
}
