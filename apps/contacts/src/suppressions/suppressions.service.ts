/**
 * Tenant suppressions (SPEC §12): emails and whole domains that must not be
 * emailed whatever their contacts' subscription status. Adding or removing
 * one emits a `contact.updated` (changed `suppressed`) for every contact it
 * matches, so the segments read model and webhooks follow: for an email in
 * the same transaction (one contact at most); for a domain, which may hold
 * most of a tenant's contacts, by SuppressionFanout in bounded windows after
 * the commit.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DEFAULT_PAGE_LIMIT, type CreateSuppressionRequest, type ListSuppressionsQuery, type RequestContext, type SuppressionView } from '@sigil/contracts';
import { Conflict, isIdOf, keysetPage, newId, NotFound, OutboxWriter, Paged, pageWindow, scopeOf, type TenantScope } from '@sigil/platform';
import { snapshotOf } from '../contacts/contact.entity';
import { ContactsRepository } from '../contacts/contacts.repository';
import { SuppressionFanout } from './suppression-fanout';
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
    private readonly contacts: ContactsRepository,
    private readonly fanout: SuppressionFanout,
  ) {}

  async create(ctx: RequestContext, req: CreateSuppressionRequest): Promise<SuppressionView> {
    const scope = scopeOf(ctx);
    const target = { email: req.email ?? null, domain: req.domain ?? null };
    const { row, walk } = await this.dataSource.transaction(async (m) => {
      const inserted = await this.suppressions.insert(m, scope, { id: newId('sup'), ...target, reason: req.reason ?? null });
      if (!inserted) {
        const existing = await this.suppressions.find(m, scope, target);
        throw new Conflict(`'${req.email ?? req.domain}' is already suppressed.`, { existing_id: existing?.id });
      }
      return { row: inserted, walk: await this.announce(m, ctx, scope, inserted) };
    });
    if (walk) this.fanout.kick(walk);
    return view(row);
  }

  async list(ctx: RequestContext, query: ListSuppressionsQuery): Promise<Paged<SuppressionView>> {
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isIdOf('sup'));
    const rows = await this.suppressions.list(this.dataSource.manager, scopeOf(ctx), window.limit + 1, window.after ?? null);
    const { items, meta } = keysetPage(rows, { limit: window.limit }, (r) => r.id);
    return new Paged(items.map(view), meta);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    const scope = scopeOf(ctx);
    const walk = await this.dataSource.transaction(async (m) => {
      const row = await this.suppressions.delete(m, scope, id);
      if (!row) throw new NotFound('suppression', id);
      return this.announce(m, ctx, scope, row);
    });
    if (walk) this.fanout.kick(walk);
  }

  /**
   * One `contact.updated` per matched contact, their versions bumped so that
   * every consumer takes it: now for an email; for a domain, its walk is
   * recorded here (the id returned), for the caller to start once committed.
   */
  private async announce(m: EntityManager, ctx: RequestContext, scope: TenantScope, row: SuppressionRow): Promise<string | undefined> {
    if (row.domain) {
      const walk = newId('sua');
      await this.suppressions.announceDomain(m, scope, walk, row.domain);
      return walk;
    }
    const touched = await this.contacts.touchByEmail(m, scope, row.email!);
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
    return undefined;
  }
}
