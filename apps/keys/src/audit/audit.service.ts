/** The audit log's use cases: record events as entries, query them, and the 1-year retention. */
import { Injectable } from '@nestjs/common';
import type { AuditEntryView, AuditLogQuery, DomainEvent, RequestContext } from '@sigil/contracts';
import { isId, keysetPage, pageWindow, Paged } from '@sigil/platform';
import { auditEntryOf, type AuditRow } from './audit-entry';
import { AuditRepository, type AuditPosition } from './audit.repository';

const PURGE_BATCH = 1_000;

function isPosition(value: unknown): value is AuditPosition {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && !Number.isNaN(Date.parse(value[0])) && isId('evt', value[1]);
}

@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  /** Records the audited events among `events` (idempotent per event id); returns how many entries were new. */
  async record(events: DomainEvent[]): Promise<number> {
    const rows = events.map(auditEntryOf).filter((r): r is AuditRow => r !== undefined);
    return this.repo.insert(rows);
  }

  /**
   * The tenant's entries, newest first. A test-mode credential sees only
   * test-mode entries (SPEC §3); a live one (and the console's session) all.
   */
  async list(ctx: RequestContext, q: AuditLogQuery): Promise<Paged<AuditEntryView>> {
    const window = pageWindow(q, 50, isPosition);
    const rows = await this.repo.find(
      {
        tenant_id: ctx.tenant_id,
        ...(ctx.mode === 'test' ? { mode: 'test' as const } : {}),
        ...(q.actor_id ? { actor_id: q.actor_id } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.resource_id ? { resource_id: q.resource_id } : {}),
        ...(q.since ? { since: q.since } : {}),
        ...(q.until ? { until: q.until } : {}),
      },
      window,
    );
    const { items, meta } = keysetPage(rows, window, (r): AuditPosition => [r.occurred_at, r.id]);
    return new Paged(items, meta);
  }

  /** Deletes entries older than a year, in batches, through the one path the table's triggers allow. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.repo.purgeExpired(PURGE_BATCH);
      total += n;
      if (n < PURGE_BATCH) return total;
    }
  }
}
