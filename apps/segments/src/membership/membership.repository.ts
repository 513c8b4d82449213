/**
 * SQL of materialised segment membership: `segment_members` and
 * `segment_membership_history`, and the evaluation of segment rules over the
 * read model's contacts. Every write to the two tables goes through here.
 *
 * Rules arrive as a `Predicate`: the compiled rule tree (rules.compiler.ts),
 * which adds its values to the statement's bind parameters and returns a
 * boolean SQL expression over `contacts c`. The statements around it — and
 * their tenant and mode parameters — are written here only.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SegmentExportChunkRequest } from '@sigil/contracts';
import { OUTBOX_NOTIFY_SQL, outboxInsertSql, returnedRows, type TenantScope } from '@sigil/platform';
import { CONTACT_COLUMNS, type ContactRow } from '../read-model/contact-rows';
import { contactsByIds } from '../read-model/contacts-by-id';
import { SqlParams } from '../rules/rules.compiler';
import { queryPrepared } from '../prepared-query';
import { exportLineSql } from './export-lines';
import type { IdSource } from './sweep-window';

/** A compiled segment predicate: adds its bind values to `p`, returns SQL over `contacts c`. */
export type Predicate = (p: SqlParams) => string;

/** One membership: a contact in a segment. */
export interface Pair {
  segment_id: string;
  contact_id: string;
}

/** Why a contact's memberships changed, as the history keeps it. */
export interface HistoryCause {
  contact_id: string;
  cause: string;
  cause_event_id: string | null;
}

/** A history row: an entry or exit and why. */
export interface HistoryRow extends Pair, HistoryCause {
  change: 'entered' | 'exited';
}

/** A member as a page or an export shows it; `since` is null when the rules were evaluated directly. */
export type MemberRow = ContactRow & { since: Date | null };

@Injectable()
export class MembershipRepository {
  /**
   * Evaluates several segments for these contacts in one statement, with
   * their memberships of those segments now: for each id, which predicates
   * hold (by index; none for a tombstone or an id the read model does not
   * hold) and which of the segments it is a member of — the live path's one
   * statement per level of segments, where a second one read the memberships.
   */
  async evaluate(
    m: EntityManager,
    s: TenantScope,
    contactIds: string[],
    segments: Array<{ id: string; predicate: Predicate }>,
  ): Promise<Array<{ id: string; matches: boolean[]; memberOf: string[] }>> {
    const p = new SqlParams([s.tenantId, s.mode, contactIds]);
    const columns = segments.map((segment, j) => `${segment.predicate(p)} AS m${j}`).join(', ');
    const segmentIds = p.add(
      segments.map((segment) => segment.id),
      'text[]',
    );
    // Prepared: this text repeats every transaction of the live path, and planning it cost more than running it (prepared-query.ts).
    const rows = await queryPrepared<Record<string, unknown>>(
      m,
      `SELECT u.id, c.deleted IS FALSE AS live, ${columns},
              ARRAY(SELECT sm.segment_id FROM segment_members sm
                     WHERE sm.tenant_id = $1 AND sm.mode = $2 AND sm.contact_id = u.id AND sm.segment_id = ANY(${segmentIds})) AS member_of
         FROM ${contactsByIds('$3::text[]', { everyId: true })}`,
      p.values,
    );
    return rows.map((row) => ({
      id: row['id'] as string,
      matches: segments.map((_, j) => row['live'] === true && row[`m${j}`] === true),
      memberOf: row['member_of'] as string[],
    }));
  }

  /** Which of these contacts (live) the predicate holds for. */
  async matchingAmong(m: EntityManager, s: TenantScope, contactIds: string[], predicate: Predicate): Promise<string[]> {
    const p = new SqlParams([s.tenantId, s.mode, contactIds]);
    const rows: Array<{ id: string }> = await m.query(`SELECT c.id FROM ${contactsByIds('$3::text[]')} WHERE NOT c.deleted AND ${predicate(p)}`, p.values);
    return rows.map((r) => r.id);
  }

  /** How many live contacts of the scope the predicate holds for. */
  async countMatching(m: EntityManager, s: TenantScope, predicate: Predicate): Promise<number> {
    const p = new SqlParams([s.tenantId, s.mode]);
    const rows: Array<{ n: string }> = await m.query(
      `SELECT count(*) AS n FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${predicate(p)}`,
      p.values,
    );
    return Number(rows[0]!.n);
  }

  /** Live contacts the predicate holds for, by id after `after` (`offset` skips rows). */
  async matchingPage(m: EntityManager, s: TenantScope, predicate: Predicate, window: { after: string; limit: number; offset?: number }): Promise<MemberRow[]> {
    const p = new SqlParams([s.tenantId, s.mode, window.after, window.limit, window.offset ?? 0]);
    return m.query(
      `SELECT ${CONTACT_COLUMNS}, NULL::timestamptz AS since FROM contacts c
        WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${predicate(p)}
        ORDER BY c.id LIMIT $4::int OFFSET $5::int`,
      p.values,
    );
  }

  /** Ids of live contacts the predicate holds for, after `after`, ascending. */
  async matchingIds(m: EntityManager, s: TenantScope, predicate: Predicate, after: string, limit: number): Promise<string[]> {
    const p = new SqlParams([s.tenantId, s.mode, after, limit]);
    const rows: Array<{ id: string }> = await m.query(
      `SELECT c.id FROM contacts c WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${predicate(p)}
        ORDER BY c.id LIMIT $4::int`,
      p.values,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Contacts whose membership of the segment differs from the predicate now:
   * one set-based pass without locks (the time sweeper reconciles them under
   * lock). With `window` (sweep-window.ts), only the contacts those sources
   * name are compared, each by primary key; without, every contact and member.
   */
  async candidates(m: EntityManager, s: TenantScope, segmentId: string, predicate: Predicate, limit: number, window?: IdSource[]): Promise<string[]> {
    const p = new SqlParams([s.tenantId, s.mode, segmentId]);
    if (window) {
      const ids = window.map((source) => `(${source(p)})`).join(' UNION ');
      const holds = predicate(p);
      const rows: Array<{ id: string }> = await m.query(
        `SELECT c.id FROM (${ids}) w
           CROSS JOIN LATERAL (SELECT * FROM contacts c0 WHERE c0.tenant_id = $1 AND c0.mode = $2 AND c0.id = w.id LIMIT 1) c
          WHERE (NOT c.deleted AND ${holds})
                <> EXISTS (SELECT 1 FROM segment_members m WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id = c.id)
          LIMIT $${p.values.length + 1}::int`,
        [...p.values, limit],
      );
      return rows.map((r) => r.id).sort();
    }
    const holds = predicate(p);
    const rows: Array<{ id: string }> = await m.query(
      `(SELECT c.id FROM contacts c
         WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND ${holds}
           AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id = c.id))
       UNION ALL
       (SELECT c.id FROM segment_members m JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
         WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND (c.deleted OR NOT ${holds}))
       LIMIT $${p.values.length + 1}::int`,
      [...p.values, limit],
    );
    return rows.map((r) => r.id).sort();
  }

  /** Of these time zones, those whose calendar day at `to` is not the one at `from` (PostgreSQL's zone data, as the rules use). */
  async dayChanged(m: EntityManager, from: Date, to: Date, zones: string[]): Promise<Set<string>> {
    if (!zones.length) return new Set();
    const rows: Array<{ z: string }> = await m.query(
      `SELECT z FROM unnest($3::text[]) AS u(z) WHERE ($1::timestamptz AT TIME ZONE z)::date <> ($2::timestamptz AT TIME ZONE z)::date`,
      [from.toISOString(), to.toISOString(), zones],
    );
    return new Set(rows.map((r) => r.z));
  }

  /** The memberships of these contacts in these segments. */
  async pairs(m: EntityManager, s: TenantScope, segmentIds: string[], contactIds: string[]): Promise<Pair[]> {
    return m.query(
      `SELECT segment_id, contact_id FROM segment_members
        WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($3::text[]) AND segment_id = ANY($4::text[])`,
      [s.tenantId, s.mode, contactIds, segmentIds],
    );
  }

  /**
   * Adds memberships (entered at `at`) and removes others, and records a
   * history row at `at` for each one this transaction really added or
   * removed, with its contact's cause (`causes`: one per contact of `enter`
   * and `exit`), in one statement. Returns the changes really made.
   *
   * `events` (`outboxRowsJson` of `segment.contact_entered` / `exited`
   * events, in the order they must go out) are appended to the outbox in the
   * same statement, each only if its change was really made — the live
   * path's events, one round trip fewer per transaction than an outbox
   * insert of its own (issue #17).
   */
  async change(
    m: EntityManager,
    s: TenantScope,
    enter: Pair[],
    exit: Pair[],
    at: Date,
    causes: HistoryCause[],
    events = '[]',
  ): Promise<{ added: Pair[]; removed: Pair[] }> {
    if (!enter.length && !exit.length) return { added: [], removed: [] };
    // An event's change: its segment, its contact (the key) and entered/exited from its type; a hashed IN, not a scan of `changed` per row.
    const made = `(r.envelope->'data'->>'segment_id', r.key, CASE r.type WHEN 'segment.contact_entered' THEN 'entered' ELSE 'exited' END)
                  IN (SELECT segment_id, contact_id, change FROM changed)`;
    const rows = await queryPrepared<Pair & { change: HistoryRow['change'] }>(
      m,
      `WITH added AS (
         INSERT INTO segment_members (tenant_id, mode, segment_id, contact_id, entered_at)
         SELECT $1, $2, u.s, u.c, $3::timestamptz FROM unnest($4::text[], $5::text[]) AS u(s, c)
         ON CONFLICT DO NOTHING RETURNING segment_id, contact_id
       ), removed AS (
         DELETE FROM segment_members m USING unnest($6::text[], $7::text[]) AS u(s, c)
          WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = u.s AND m.contact_id = u.c
          RETURNING m.segment_id, m.contact_id
       ), changed AS (
         SELECT segment_id, contact_id, 'entered' AS change FROM added
         UNION ALL
         SELECT segment_id, contact_id, 'exited' AS change FROM removed
       ), history AS (
         INSERT INTO segment_membership_history (tenant_id, mode, segment_id, contact_id, change, at, cause, cause_event_id)
         SELECT $1, $2, ch.segment_id, ch.contact_id, ch.change, $3::timestamptz, k.cause, k.event_id
           FROM changed ch JOIN unnest($8::text[], $9::text[], $10::text[]) AS k(contact_id, cause, event_id) ON k.contact_id = ch.contact_id
       ), appended AS (
         ${outboxInsertSql('$11', made)} RETURNING seq
       )
       SELECT segment_id, contact_id, change, (SELECT ${OUTBOX_NOTIFY_SQL} FROM appended LIMIT 1) AS notified FROM changed`,
      [
        s.tenantId,
        s.mode,
        at.toISOString(),
        enter.map((e) => e.segment_id),
        enter.map((e) => e.contact_id),
        exit.map((e) => e.segment_id),
        exit.map((e) => e.contact_id),
        causes.map((c) => c.contact_id),
        causes.map((c) => c.cause),
        causes.map((c) => c.cause_event_id),
        events,
      ],
    );
    const pair = (r: Pair): Pair => ({ segment_id: r.segment_id, contact_id: r.contact_id });
    return { added: rows.filter((r) => r.change === 'entered').map(pair), removed: rows.filter((r) => r.change === 'exited').map(pair) };
  }

  /** A deleted contact leaves every segment; `built`: the segment had finished its first build (its exits are events). */
  async removeContact(m: EntityManager, s: TenantScope, contactId: string): Promise<Array<Pair & { built: boolean }>> {
    return returnedRows<Pair & { built: boolean }>(
      await m.query(
        `DELETE FROM segment_members m USING segments s
          WHERE m.tenant_id = $1 AND m.mode = $2 AND m.contact_id = $3
            AND s.tenant_id = m.tenant_id AND s.mode = m.mode AND s.id = m.segment_id
          RETURNING m.segment_id, m.contact_id, s.built_at IS NOT NULL AS built`,
        [s.tenantId, s.mode, contactId],
      ),
    );
  }

  /** A deleted segment's memberships go with it (no per-contact exits, no history). */
  async removeSegment(m: EntityManager, s: TenantScope, segmentId: string): Promise<void> {
    await m.query(`DELETE FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3`, [s.tenantId, s.mode, segmentId]);
  }

  /** One history row per entry and exit, all at `at`, in one statement. */
  async recordHistory(m: EntityManager, s: TenantScope, rows: HistoryRow[], at: Date): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `INSERT INTO segment_membership_history (tenant_id, mode, segment_id, contact_id, change, at, cause, cause_event_id)
       SELECT $1, $2, u.s, u.c, u.ch, $3::timestamptz, u.cause, u.event_id
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(s, c, ch, cause, event_id)`,
      [
        s.tenantId,
        s.mode,
        at.toISOString(),
        rows.map((r) => r.segment_id),
        rows.map((r) => r.contact_id),
        rows.map((r) => r.change),
        rows.map((r) => r.cause),
        rows.map((r) => r.cause_event_id),
      ],
    );
  }

  /** How many members the segment has (materialised). */
  async count(m: EntityManager, s: TenantScope, segmentId: string): Promise<number> {
    const rows: Array<{ n: string }> = await m.query(`SELECT count(*) AS n FROM segment_members WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3`, [
      s.tenantId,
      s.mode,
      segmentId,
    ]);
    return Number(rows[0]!.n);
  }

  /**
   * Materialised members with their contact, by contact id after `after`
   * (`offset` skips rows). Every keyset page of members bounds both sides of
   * the join (`m.contact_id > $after AND c.id > $after`): PostgreSQL does not
   * carry an inequality across the join's equality, and with one bound a
   * merge join read the contacts index from the tenant's first contact on
   * every page — quadratic: a page late in the export of 1 M members read
   * ~1 M index entries for 1 000 rows (issue #17's 5 244 rows/s export).
   */
  async members(m: EntityManager, s: TenantScope, segmentId: string, window: { after: string; limit: number; offset?: number }): Promise<MemberRow[]> {
    return m.query(
      `SELECT ${CONTACT_COLUMNS}, m.entered_at AS since FROM segment_members m
         JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id > $4 AND c.id > $4
        ORDER BY m.contact_id LIMIT $5 OFFSET $6`,
      [s.tenantId, s.mode, segmentId, window.after, window.limit, window.offset ?? 0],
    );
  }

  /**
   * One chunk of an export as rendered lines (export-lines.ts): the members
   * after `after` by contact id — materialised, or (`predicate`, a segment
   * still building) the live contacts the rules hold for — at most `limit`
   * rows and `maxBytes` of text (a longer first row comes alone); `bytes` is
   * the text's size in bytes.
   *
   * PostgreSQL joins the lines into the chunk's one text value and applies
   * the byte cap (a running sum over the page, in id order), so the service
   * receives one row per chunk, not a row and two strings per member (the
   * service's CPU per NDJSON row: 6.0 → 2.3 µs, docs/segments.md).
   * The aggregate takes the lines in the order the window delivers them —
   * the page's id order (an ORDER BY inside string_agg would sort the page
   * again, on disk past work_mem).
   *
   * The cap counts the lines' own bytes (`octet_length`): the chunk travels
   * as the bytes of a raw reply (platform raw-reply.ts), not inside a JSON
   * string. Until session 11 it did, and the cap bounded each line's size
   * as JSON (one more byte per quote and backslash, more for control
   * characters in CSV names), which cost PostgreSQL two `replace`s per row.
   */
  async exportText(
    m: EntityManager,
    s: TenantScope,
    source: { segmentId: string } | { predicate: Predicate },
    format: SegmentExportChunkRequest['format'],
    window: { after: string; limit: number; maxBytes: number },
  ): Promise<{ text: string; rows: number; bytes: number; next_after: string | null }> {
    const p = new SqlParams([s.tenantId, s.mode, window.after, window.limit, window.maxBytes]);
    const page =
      'segmentId' in source
        ? `SELECT m.contact_id AS id, ${exportLineSql(format, 'm.entered_at')} AS line FROM segment_members m
             JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
            WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = ${p.add(source.segmentId, 'text')} AND m.contact_id > $3::text AND c.id > $3::text
            ORDER BY m.contact_id LIMIT $4::int`
        : `SELECT c.id, ${exportLineSql(format, 'NULL::timestamptz')} AS line FROM contacts c
            WHERE c.tenant_id = $1 AND c.mode = $2 AND NOT c.deleted AND c.id > $3::text AND ${source.predicate(p)}
            ORDER BY c.id LIMIT $4::int`;
    const [chunk]: Array<{ text: string | null; rows: string; bytes: string | null; last_id: string | null; fetched: string }> = await m.query(
      `SELECT string_agg(line, '') FILTER (WHERE fits) AS text, count(*) FILTER (WHERE fits) AS rows,
              max(summed) FILTER (WHERE fits) AS bytes, max(id) FILTER (WHERE fits) AS last_id, count(*) AS fetched
         FROM (SELECT id, line, summed, summed <= $5::bigint OR n = 1 AS fits
                 FROM (SELECT id, line, sum(octet_length(line)) OVER w AS summed, row_number() OVER w AS n
                         FROM (${page}) page
                       WINDOW w AS (ORDER BY id ROWS UNBOUNDED PRECEDING)) summed) sized`,
      p.values,
    );
    const rows = Number(chunk!.rows);
    const fetched = Number(chunk!.fetched);
    const more = rows < fetched || fetched === window.limit;
    return { text: chunk!.text ?? '', rows, bytes: Number(chunk!.bytes ?? 0), next_after: more ? chunk!.last_id : null };
  }

  /** Ids of the materialised members after `after`, ascending. */
  async memberIds(m: EntityManager, s: TenantScope, segmentId: string, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT c.id FROM segment_members m
         JOIN contacts c ON c.tenant_id = m.tenant_id AND c.mode = m.mode AND c.id = m.contact_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.segment_id = $3 AND m.contact_id > $4 AND c.id > $4
        ORDER BY m.contact_id LIMIT $5`,
      [s.tenantId, s.mode, segmentId, after, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Entries and exits per `interval` bucket (UTC) since `from`. */
  async historyBuckets(
    m: EntityManager,
    s: TenantScope,
    segmentId: string,
    from: Date,
    interval: 'hour' | 'day',
  ): Promise<Array<{ at: Date; entered: number; exited: number }>> {
    const rows: Array<{ b: Date; entered: string; exited: string }> = await m.query(
      `SELECT date_trunc($5, at, 'UTC') AS b, count(*) FILTER (WHERE change = 'entered') AS entered, count(*) FILTER (WHERE change = 'exited') AS exited
         FROM segment_membership_history
        WHERE tenant_id = $1 AND mode = $2 AND segment_id = $3 AND at >= $4::timestamptz
        GROUP BY 1`,
      [s.tenantId, s.mode, segmentId, from.toISOString(), interval],
    );
    return rows.map((r) => ({ at: r.b, entered: Number(r.entered), exited: Number(r.exited) }));
  }

  /** The segments a contact is in now, with their names and when it entered, by segment id. */
  async segmentsOf(m: EntityManager, s: TenantScope, contactId: string): Promise<Array<{ segment_id: string; name: string; entered_at: Date }>> {
    return m.query(
      `SELECT m.segment_id, s.name, m.entered_at FROM segment_members m
         JOIN segments s ON s.tenant_id = m.tenant_id AND s.mode = m.mode AND s.id = m.segment_id
        WHERE m.tenant_id = $1 AND m.mode = $2 AND m.contact_id = $3 ORDER BY m.segment_id`,
      [s.tenantId, s.mode, contactId],
    );
  }
}
