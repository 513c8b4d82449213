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
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { UsageRepository } from './usage.repository';

const PURGE_BATCH = 5_000;

@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
    private readonly keys: ApiKeysRepository,
  ) {}

  async record(entries: UsageEntry[], hourly: UsageHourlyEntry[] = []): Promise<{ recorded: number }> {
    if (!entries.length && !hourly.length) return { recorded: 0 };
    await this.dataSource.transaction(async (m) => {
      await this.usage.addHourly(m, hourly);
      await this.usage.addDaily(m, entries);
      await this.keys.markUsed(m, entries);
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
    const rows = await this.usage.series(this.dataSource.manager, ctx.tenant_id, { from, to, credentialId: q.key_id, interval, groupBy });
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
      const deleted = await this.usage.purgeHourlyOlderThan(this.dataSource.manager, USAGE_RETENTION_DAYS, PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) return total;
    }
  }

  private async daily(ctx: RequestContext, q: UsageQuery): Promise<UsageRow[]> {
    const rows = await this.usage.daily(this.dataSource.manager, ctx.tenant_id, { from: q.from, to: q.to, credentialId: q.key_id });
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
