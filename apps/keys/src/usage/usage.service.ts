/**
 * Request counts fed in batches by the gateways: per credential and day by
 * status class (the first release's report), and per credential, hour, route
 * and outcome (analytics, SPEC §15, kept 90 days).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  USAGE_OUTCOMES,
  USAGE_RETENTION_DAYS,
  type RequestContext,
  type UsageEntry,
  type UsageHourlyEntry,
  type UsageOutcome,
  type UsageReport,
  type UsageRow,
  type UsageQuery,
  type UsageSeriesRow,
} from '@sigil/contracts';

const PURGE_BATCH = 5_000;

@Injectable()
export class UsageService {
  constructor(private readonly dataSource: DataSource) {}

  async record(entries: UsageEntry[], hourly: UsageHourlyEntry[] = []): Promise<{ recorded: number }> {
    if (!entries.length && !hourly.length) return { recorded: 0 };
    await this.dataSource.transaction(async (m) => {
      if (hourly.length) {
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
      if (!entries.length) return;
      await m.query(
        `INSERT INTO usage_daily (tenant_id, credential_id, day, status_class, count)
         SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], $5::bigint[])
         ON CONFLICT (tenant_id, credential_id, day, status_class) DO UPDATE SET count = usage_daily.count + EXCLUDED.count`,
        [
          entries.map((e) => e.tenant_id),
          entries.map((e) => e.credential_id),
          entries.map((e) => e.day),
          entries.map((e) => e.status_class),
          entries.map((e) => e.count),
        ],
      );
      await m.query(
        `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.last_used)
           FROM (SELECT credential_id, max(last_used_at) AS last_used
                   FROM unnest($1::text[], $2::timestamptz[]) AS x(credential_id, last_used_at) GROUP BY credential_id) u
          WHERE k.id = u.credential_id`,
        [entries.map((e) => e.credential_id), entries.map((e) => e.last_used_at)],
      );
    });
    return { recorded: entries.length + hourly.length };
  }

  /** The first release's report without `interval`/`group_by`; the analytics series with either. */
  async report(ctx: RequestContext, q: UsageQuery): Promise<UsageReport> {
    return q.interval || q.group_by ? this.series(ctx, q) : this.daily(ctx, q);
  }

  /**
   * Per credential per hour (or day), by outcome or route. `from`/`to` are
   * dates (whole days, UTC) or instants; the default is the last 24 hours
   * hourly, the last 30 days daily. Buckets without requests are left out.
   */
  private async series(ctx: RequestContext, q: UsageQuery): Promise<UsageSeriesRow[]> {
    const interval = q.interval ?? 'day';
    const groupBy = q.group_by ?? 'outcome';
    const to = q.to ? endOf(q.to) : new Date();
    const from = q.from ? new Date(Date.parse(q.from)) : new Date(to.getTime() - (interval === 'hour' ? 24 : 30 * 24) * 3600_000);
    const rows: { credential_id: string; at: Date; grp: string; count: string }[] = await this.dataSource.query(
      `SELECT credential_id, date_trunc($5, hour, 'UTC') AS at, ${groupBy === 'route' ? 'route' : 'outcome'} AS grp, sum(count) AS count
         FROM usage_hourly
        WHERE tenant_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) AND hour < $3::timestamptz
          AND ($4::text IS NULL OR credential_id = $4)
        GROUP BY 1, 2, 3
        ORDER BY 2, 1`,
      [ctx.tenant_id, from.toISOString(), to.toISOString(), q.key_id ?? null, interval],
    );
    const buckets = new Map<string, UsageSeriesRow>();
    for (const r of rows) {
      const at = r.at.toISOString();
      const k = `${at}|${r.credential_id}`;
      let row = buckets.get(k);
      if (!row) {
        row = { credential_id: r.credential_id, at, total: 0, ...(groupBy === 'route' ? { routes: {} } : { outcomes: zeroOutcomes() }) };
        buckets.set(k, row);
      }
      const n = Number(r.count);
      row.total += n;
      if (row.routes) row.routes[r.grp] = (row.routes[r.grp] ?? 0) + n;
      else if (row.outcomes && (USAGE_OUTCOMES as readonly string[]).includes(r.grp)) row.outcomes[r.grp as UsageOutcome] += n;
    }
    return [...buckets.values()];
  }

  /** Deletes hourly counts older than the retention (90 days), in batches. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted: unknown[] = await this.dataSource.query(
        `DELETE FROM usage_hourly WHERE ctid IN (
           SELECT ctid FROM usage_hourly WHERE hour < now() - make_interval(days => $1) LIMIT $2) RETURNING 1`,
        [USAGE_RETENTION_DAYS, PURGE_BATCH],
      );
      total += deleted.length;
      if (deleted.length < PURGE_BATCH) return total;
    }
  }

  private async daily(ctx: RequestContext, q: UsageQuery): Promise<UsageRow[]> {
    const rows: { credential_id: string; day: string; status_class: string; count: string }[] = await this.dataSource.query(
      `SELECT credential_id, to_char(day, 'YYYY-MM-DD') AS day, status_class, count FROM usage_daily
        WHERE tenant_id = $1
          AND day >= COALESCE($2::date, current_date - 30) AND day <= COALESCE($3::date, current_date)
          AND ($4::text IS NULL OR credential_id = $4)
        ORDER BY day, credential_id`,
      [ctx.tenant_id, q.from ?? null, q.to ?? null, q.key_id ?? null],
    );
    const byKey = new Map<string, UsageRow>();
    for (const r of rows) {
      const k = `${r.day}|${r.credential_id}`;
      const row = byKey.get(k) ?? { credential_id: r.credential_id, day: r.day, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, total: 0 };
      const n = Number(r.count);
      if (r.status_class === '2xx' || r.status_class === '3xx' || r.status_class === '4xx' || r.status_class === '5xx') row[r.status_class] += n;
      row.total += n;
      byKey.set(k, row);
    }
    return [...byKey.values()];
  }
}

function zeroOutcomes(): Record<UsageOutcome, number> {
  return Object.fromEntries(USAGE_OUTCOMES.map((o) => [o, 0])) as Record<UsageOutcome, number>;
}

/** A date `to` includes its whole day; an instant is the exclusive end. */
function endOf(to: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + 24 * 3600_000) : new Date(Date.parse(to));
}
