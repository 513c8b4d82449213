import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relative-date rules evaluated over a whole tenant (a backfill, a time sweep,
 * a preview) call these helpers once per contact; at 1 M contacts their cost
 * per call decided whether a segment was ready in seconds or minutes (issue #17):
 * - `sigil_days_to_anniversary` was an SQL function PostgreSQL cannot inline
 *   (it has a FROM clause), so each call ran a whole executor: ~20× the cost of
 *   the same logic in PL/pgSQL;
 * - `sigil_try_timestamptz` entered an EXCEPTION block (a subtransaction) and
 *   switched the session time zone on every call. The shapes a cast cannot
 *   reject (a real calendar day 01–28, a valid clock time, a valid offset) are
 *   now read by an inlinable SQL expression; anything else goes to the previous,
 *   exact function, kept as `sigil_try_timestamptz_checked`. Results are the same.
 */
export class SegmentsFastDates1765200000300 implements MigrationInterface {
  name = 'SegmentsFastDates1765200000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION sigil_try_timestamptz(text) RENAME TO sigil_try_timestamptz_checked`);
    await q.query(`ALTER FUNCTION sigil_try_timestamptz(text, text) RENAME TO sigil_try_timestamptz_checked`);
    // Year 0000 does not exist for PostgreSQL; days 29–31 exist only in some months, so they take the checked path.
    const day = `(?!0000)\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])`;
    const time = `[T ]([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?`;
    const local = `^${day}(${time})?$`;
    const offset = `^${day}${time}(Z|[+-](0\\d|1[0-4])(:?[0-5]\\d)?)$`;
    // Without an offset: that wall-clock time in the zone (UTC for the one-argument form); with one: that instant.
    await q.query(`
      CREATE FUNCTION sigil_try_timestamptz(value text) RETURNS timestamptz
      LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN value ~ '${local}' THEN value::timestamp AT TIME ZONE 'UTC'
          WHEN value ~ '${offset}' THEN value::timestamptz
          ELSE sigil_try_timestamptz_checked(value)
        END $$`);
    await q.query(`
      CREATE FUNCTION sigil_try_timestamptz(value text, tz text) RETURNS timestamptz
      LANGUAGE sql STABLE AS $$
        SELECT CASE
          WHEN value ~ '${local}' THEN value::timestamp AT TIME ZONE tz
          WHEN value ~ '${offset}' THEN value::timestamptz
          ELSE sigil_try_timestamptz_checked(value, tz)
        END $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION sigil_days_to_anniversary(d date, today date) RETURNS integer
      LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE
        y integer;
        a date;
      BEGIN
        IF d IS NULL OR today IS NULL THEN RETURN NULL; END IF;
        y := greatest(extract(year FROM today)::int, extract(year FROM d)::int + 1);
        a := sigil_anniversary(d, y);
        IF a >= today THEN RETURN a - today; END IF;
        RETURN sigil_anniversary(d, y + 1) - today;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION sigil_days_to_anniversary(d date, today date) RETURNS integer
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN a >= today THEN a - today ELSE sigil_anniversary(d, y + 1) - today END
          FROM (SELECT greatest(extract(year FROM today)::int, extract(year FROM d)::int + 1) AS y) s,
               LATERAL (SELECT sigil_anniversary(d, s.y) AS a) t $$`);
    await q.query('DROP FUNCTION sigil_try_timestamptz(text, text)');
    await q.query('DROP FUNCTION sigil_try_timestamptz(text)');
    await q.query(`ALTER FUNCTION sigil_try_timestamptz_checked(text, text) RENAME TO sigil_try_timestamptz`);
    await q.query(`ALTER FUNCTION sigil_try_timestamptz_checked(text) RENAME TO sigil_try_timestamptz`);
  }
}
