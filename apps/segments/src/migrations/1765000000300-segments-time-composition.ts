import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Segments of SPEC §13 and the consent default of §12: the read model learns
 * each contact's subscription status and suppression; segments record the
 * segments their rules reference and whether they include unsubscribed
 * contacts; every membership change is kept in a history; SQL helpers for
 * relative dates and anniversaries.
 */
export class SegmentsTimeComposition1765000000300 implements MigrationInterface {
  name = 'SegmentsTimeComposition1765000000300';

  async up(q: QueryRunner): Promise<void> {
    // Constant defaults: PostgreSQL adds these columns without rewriting the table.
    await q.query(`ALTER TABLE contacts ADD COLUMN subscription_status text NOT NULL DEFAULT 'subscribed',
                                        ADD COLUMN suppressed boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE segments ADD COLUMN segment_refs text[] NOT NULL DEFAULT '{}',
                                        ADD COLUMN include_unsubscribed boolean NOT NULL DEFAULT false`);
    // Every entry and exit, with what caused it (a contact event's type and id, a list change,
    // the time sweeper, a rebuild after an edit, the first build).
    await q.query(`
      CREATE TABLE segment_membership_history (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id       text NOT NULL,
        mode            text NOT NULL,
        segment_id      text NOT NULL,
        contact_id      text NOT NULL,
        change          text NOT NULL CHECK (change IN ('entered', 'exited')),
        at              timestamptz NOT NULL,
        cause           text NOT NULL,
        cause_event_id  text
      )`);
    await q.query(`CREATE INDEX segment_membership_history_at ON segment_membership_history (tenant_id, mode, segment_id, at) INCLUDE (change)`);

    // A date-only or offset-less value read in a time zone (an offset in the value wins).
    await q.query(`
      CREATE FUNCTION sigil_try_timestamptz(value text, tz text) RETURNS timestamptz
      LANGUAGE plpgsql STABLE SET timezone = 'UTC' AS $$
      BEGIN
        IF value IS NULL OR value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN RETURN NULL; END IF;
        IF length(value) > 10 AND value ~ '(Z|z|[+-]\\d{2}(:?\\d{2})?)$' THEN RETURN value::timestamptz; END IF;
        RETURN value::timestamp AT TIME ZONE tz;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END $$`);
    // The anniversary of a date in year y; 29 February is kept on 28 February in common years.
    await q.query(`
      CREATE FUNCTION sigil_anniversary(d date, y integer) RETURNS date
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE
          WHEN extract(month FROM d) = 2 AND extract(day FROM d) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))
            THEN make_date(y, 2, 28)
          ELSE make_date(y, extract(month FROM d)::int, extract(day FROM d)::int)
        END $$`);
    // Days from today to the next anniversary of d (today counts; the date itself is not its own anniversary).
    await q.query(`
      CREATE FUNCTION sigil_days_to_anniversary(d date, today date) RETURNS integer
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN a >= today THEN a - today ELSE sigil_anniversary(d, y + 1) - today END
          FROM (SELECT greatest(extract(year FROM today)::int, extract(year FROM d)::int + 1) AS y) s,
               LATERAL (SELECT sigil_anniversary(d, s.y) AS a) t $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION sigil_days_to_anniversary(date, date)');
    await q.query('DROP FUNCTION sigil_anniversary(date, integer)');
    await q.query('DROP FUNCTION sigil_try_timestamptz(text, text)');
    await q.query('DROP TABLE segment_membership_history');
    await q.query('ALTER TABLE segments DROP COLUMN segment_refs, DROP COLUMN include_unsubscribed');
    await q.query('ALTER TABLE contacts DROP COLUMN subscription_status, DROP COLUMN suppressed');
  }
}
