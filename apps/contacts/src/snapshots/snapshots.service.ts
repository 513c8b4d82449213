/**
 * Whole-database snapshots for other services' read models (segments
 * rebuilds its contacts and activities from these, then follows events).
 * System-wide, keyset-paged by id; only callers acting as the `system`
 * tenant may ask (the gateway never forwards these patterns).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type SnapshotRequest,
  SYSTEM_TENANT_ID,
  type ActivitiesSnapshotReply,
  type ActivitySnapshot,
  type ContactsSnapshotReply,
  type Mode,
  type RequestContext,
} from '@sigil/contracts';
import { Forbidden } from '@sigil/platform';
import { CONTACT_COLUMNS } from '../contacts/contact-list.query';
import { snapshotOf, type ContactRow } from '../contacts/contact.entity';

@Injectable()
export class SnapshotsService {
  constructor(private readonly dataSource: DataSource) {}

  async contacts(ctx: RequestContext, input: SnapshotRequest): Promise<ContactsSnapshotReply> {
    const { after, limit } = this.authorised(ctx, input);
    const rows: (ContactRow & { tenant_id: string; mode: Mode })[] = await this.dataSource.query(
      `SELECT ${CONTACT_COLUMNS}, c.tenant_id, c.mode FROM contacts c WHERE c.id > $1 ORDER BY c.id LIMIT $2`,
      [after ?? '', limit],
    );
    return {
      contacts: rows.map((r) => ({ ...snapshotOf(r), tenant_id: r.tenant_id, mode: r.mode })),
      next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
    };
  }

  async activities(ctx: RequestContext, input: SnapshotRequest): Promise<ActivitiesSnapshotReply> {
    const { after, limit } = this.authorised(ctx, input);
    const rows: (Omit<ActivitySnapshot, 'occurred_at'> & { occurred_at: Date })[] = await this.dataSource.query(
      `SELECT id, tenant_id, mode, contact_id, type, occurred_at, properties FROM activities WHERE id > $1 ORDER BY id LIMIT $2`,
      [after ?? '', limit],
    );
    return {
      activities: rows.map((r) => ({ ...r, occurred_at: new Date(r.occurred_at).toISOString() })),
      next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
    };
  }

  private authorised(ctx: RequestContext, input: SnapshotRequest): SnapshotRequest {
    if (ctx.tenant_id !== SYSTEM_TENANT_ID) throw new Forbidden('insufficient_scope', 'Snapshots are for internal system callers only.');
    return input;
  }
}
