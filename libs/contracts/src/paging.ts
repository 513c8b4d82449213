/**
 * The paging fields of every list query (SPEC §2): `page`+`limit` (an
 * offset) or an opaque `cursor` (the position of a page's last row, as
 * `meta.next_cursor` gave it). Each resource's list-query schema
 * (`ListApiKeysQuerySchema`, `ListWebhooksQuerySchema`, …) is built from
 * these, so a limit, a page number and a cursor are read alike everywhere;
 * the platform's keyset helper (libs/platform/src/paging/keyset.ts) turns
 * them into a page.
 */
import { z } from 'zod';

export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_NUMBER = 100_000;
/** The longest cursor accepted; every cursor the API returns is far shorter. */
export const MAX_CURSOR_LENGTH = 500;

/** Query strings arrive as text: numbers are coerced. */
export const PageNumberParam = z.coerce.number().int().min(1).max(MAX_PAGE_NUMBER);
export const PageLimitParam = z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT);
export const CursorParam = z.string().min(1).max(MAX_CURSOR_LENGTH);

/** A list paged by page number or by cursor (a cursor wins when both are sent). */
export const pageQueryFields = {
  page: PageNumberParam.optional(),
  limit: PageLimitParam.default(DEFAULT_PAGE_LIMIT),
  cursor: CursorParam.optional(),
};

/** A list paged by cursor only. */
export const cursorQueryFields = {
  limit: PageLimitParam.default(DEFAULT_PAGE_LIMIT),
  cursor: CursorParam.optional(),
};
