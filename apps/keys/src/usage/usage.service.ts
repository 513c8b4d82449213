/** Per-credential, per-day request counts by status class, fed in batches by the gateways. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type RequestContext,
  type UsageEntry,
  type UsageRow,
  type UsageQuery,
} from '@sigil/contracts';

@Injectable()
export class UsageService {
  constructor(private readonly dataSource: DataSource) {}

  async record(entries: UsageEntry[]): Promise<{ recorded: number }> {
    if (!Array.isArray(entries) || !entries.length) return { recorded: 0 };
    await this.dataSource.transaction(async (m) => {
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
    return { recorded: entries.length };
  }

  async report(ctx: RequestContext, q: UsageQuery): Promise<UsageRow[]> {
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
