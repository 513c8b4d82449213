/**
 * SQL of request counts: `usage_daily` (per credential, day and status class)
 * and `usage_hourly` (per credential, hour, route and outcome; kept 90 days).
 * Counts arrive in batches from the gateways, each entry with its own
 * tenant; reads are one tenant's.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { UsageEntry, UsageHourlyEntry } from '@sigil/contracts';

export interface DailyCountRow {
  credential_id: string;
  /** YYYY-MM-DD */
  day: string;
  status_class: string;
  count: string;
}

export interface SeriesCountRow {
  credential_id: string;
  at: Date;
  /** The outcome or the route, as grouped. */
  grp: string;
  count: string;
}

@Injectable()
export class UsageRepository {
  /** Adds hourly counts (any tenants: each entry carries its own). */
  async addHourly(m: EntityManager, hourly: UsageHourlyEntry[]): Promise<void> {
    if (!hourly.length) return;
    await m.query(
      `INSERT INTO usage_hourly (tenant_id, credential_id, hour, route, outcome, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::bigint[])
       ON CONFLICT (tenant_id, credential_id, hour, route, outcome) DO UPDATE SET count = usage_hourly.count + EXCLUDED.count`,
      [
        hourly.map((e) => e.tenant_id),
        hourly.map((e) => e.credential_id),
        hourly.map((e) => e.hour),
        hourly.map((e) => e.route),
        hourly.map((e) => e.outcome),
        hourly.map((e) => e.count),
      ],
    );
  }

  /** Adds daily counts (any tenants: each entry carries its own). */
  async addDaily(m: EntityManager, entries: UsageEntry[]): Promise<void> {
    if (!entries.length) return;
    await m.query(
      `INSERT INTO usage_daily (tenant_id, credential_id, day, status_class, count)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::bigint[])
       ON CONFLICT (tenant_id, credential_id, day, status_class) DO UPDATE SET count = usage_daily.count + EXCLUDED.count`,
      [entries.map((e) => e.tenant_id), entries.map((e) => e.credential_id), entries.map((e) => e.day), entries.map((e) => e.status_class), entries.map((e) => e.count)],
    );
  }

  /** The tenant's daily counts between two dates (the last 30 days by default), of one credential when given. */
  async daily(m: EntityManager, tenantId: string, q: { from?: string; to?: string; credentialId?: string }): Promise<DailyCountRow[]> {
    return m.query(
      `SELECT credential_id, to_char(day, 'YYYY-MM-DD') AS day, status_class, count FROM usage_daily
        WHERE tenant_id = $1
          AND day >= COALESCE($2::date, current_date - 30) AND day <= COALESCE($3::date, current_date)
          AND ($4::text IS NULL OR credential_id = $4)
        ORDER BY day, credential_id`,
      [tenantId, q.from ?? null, q.to ?? null, q.credentialId ?? null],
    );
  }

  /** The tenant's hourly counts in [from, to), summed per credential, `interval` bucket and outcome or route. */
  async series(
    m: EntityManager,
    tenantId: string,
    q: { from: Date; to: Date; credentialId?: string; interval: 'hour' | 'day'; groupBy: 'outcome' | 'route' },
  ): Promise<SeriesCountRow[]> {
    return m.query(
      `SELECT credential_id, date_trunc($5, hour, 'UTC') AS at, ${q.groupBy === 'route' ? 'route' : 'outcome'} AS grp, sum(count) AS count
         FROM usage_hourly
        WHERE tenant_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) AND hour < $3::timestamptz
          AND ($4::text IS NULL OR credential_id = $4)
        GROUP BY 1, 2, 3
        ORDER BY 2, 1`,
      [tenantId, q.from.toISOString(), q.to.toISOString(), q.credentialId ?? null, q.interval],
    );
  }

  /** Deletes up to `batch` hourly counts older than `days`; returns how many went. */
  async purgeHourlyOlderThan(m: EntityManager, days: number, batch: number): Promise<number> {
    const deleted: unknown[] = await m.query(
      `DELETE FROM usage_hourly WHERE ctid IN (
         SELECT ctid FROM usage_hourly WHERE hour < now() - make_interval(days => $1) LIMIT $2) RETURNING 1`,
      [days, batch],
    );
    return deleted.length;
  }
}
