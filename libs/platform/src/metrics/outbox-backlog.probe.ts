/** Reads the outbox backlog (rows and age of the oldest) into the metrics at scrape time. */
import type { DataSource } from 'typeorm';
import type { Metrics, ScrapeProbe } from './metrics';

export function outboxBacklogProbe(dataSource: DataSource, metrics: Metrics): ScrapeProbe {
  return async () => {
    if (!dataSource.isInitialized) return;
    const [row] = (await dataSource.query(
      `SELECT count(*)::int AS backlog, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest FROM outbox_events`,
    )) as { backlog: number; oldest: number }[];
    metrics.outboxBacklog.set(row?.backlog ?? 0);
    metrics.outboxOldestAge.set(row?.oldest ?? 0);
  };
}
