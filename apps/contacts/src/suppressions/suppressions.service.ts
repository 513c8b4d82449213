/**
 * Tenant suppressions (SPEC §12): emails and whole domains that must not be
 * emailed whatever their contacts' subscription status. Adding or removing
 * one emits, in the same transaction and in one outbox insert, a
 * `contact.updated` (changed `suppressed`) for every contact it matches, so
 * the segments read model and webhooks follow.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  DEFAULT_PAGE_LIMIT,
  type CreateSuppressionRequest,
  type ListSuppressionsQuery,
  type RequestContext,
  type SuppressionView,
} from '@sigil/contracts';
import { Conflict, isIdOf, keysetPage, newId, NotFound, OutboxWriter, Paged, pageWindow } from '@sigil/platform';
import { snapshotOf } from '../contacts/contact.entity';
import { scopeOf } from '../contacts/contacts.service';
import type { Scope } from '../contacts/contacts.repository';
import { SuppressionsRepository, type SuppressionRow } from './suppressions.repository';

function view(row: SuppressionRow): SuppressionView {
  return { id: row.id, email: row.email, domain: row.domain, reason: row.reason, created_at: new Date(row.created_at).toISOString() };
}

@Injectable()
export class SuppressionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly suppressions: SuppressionsRepository,
  ) {}

  async create(ctx: RequestContext, req: CreateSuppressionRequest): Promise<SuppressionView> {
    const scope = scopeOf(ctx);
    const target = { email: req.email ?? null, domain: req.domain ?? null };
    return this.dataSource.transaction(async (m) => {
      const row = await this.suppressions.insert(m, scope, { id: newId('sup'), ...target, reason: req.reason ?? null });
      if (!row) {
        const existing = await this.suppressions.find(m, scope, target);
        throw new Conflict(`'${req.email ?? req.domain}' is already suppressed.`, { existing_id: existing?.id });
      }
      await this.announce(m, ctx, scope, row);
      return view(row);
    });
  }

  async list(ctx: RequestContext, query: ListSuppressionsQuery): Promise<Paged<SuppressionView>> {
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isIdOf('sup'));
    const rows = await this.suppressions.list(this.dataSource.manager, scopeOf(ctx), window.limit + 1, window.after ?? null);
    const { items, meta } = keysetPage(rows, { limit: window.limit }, (r) => r.id);
    return new Paged(items.map(view), meta);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const scope = scopeOf(ctx);
    await this.dataSource.transaction(async (m) => {
      const row = await this.suppressions.delete(m, scope, id);
      if (!row) throw new NotFound('suppression', id);
      await this.announce(m, ctx, scope, row);
    });
  }

  /** One `contact.updated` per matched contact, their versions bumped so that every consumer takes it. */
  private async announce(m: EntityManager, ctx: RequestContext, scope: Scope, row: SuppressionRow): Promise<void> {
    const touched = await this.suppressions.touchMatching(m, scope, row);
    await this.outbox.append(
      m,
      touched.map((r) => ({
        type: 'contact.updated' as const,
        tenant_id: ctx.tenant_id,
        mode: ctx.mode,
        key: r.id,
        data: { contact: snapshotOf(r), changed: ['suppressed'] },
      })),
    );
  }
}
