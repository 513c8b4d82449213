/**
 * An instant as the API accepts it: an RFC 3339 date-time with an offset,
 * normalised to UTC (`toISOString`) once validated. Services hand instants to
 * PostgreSQL, which refuses offsets RFC 3339 allows but it does not (beyond
 * ±15:59, e.g. `-21:36`: "time zone displacement out of range" — a 500 the
 * fuzz found); in UTC every valid instant is accepted. The OpenAPI document
 * shows the input (`format: date-time`).
 */
import { z } from 'zod';

export const instant = () =>
  z
    .string()
    .datetime({ offset: true })
    .transform((value) => new Date(value).toISOString());

/** The shared one; `instant()` for a schema of its own (e.g. one `documented` with a hint, which is kept per schema). */
export const Instant = instant();

/** An instant as the API answers it (`toISOString`, UTC): the response side of `Instant`. */
export const Timestamp = z.string().datetime({ offset: true });
