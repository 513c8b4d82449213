/**
 * Whole-database snapshots for other services' read models (segments
 * rebuilds its contacts and activities from these, then follows events).
 * System-wide, keyset-paged by id; only callers acting as the `system`
 * tenant may ask (the gateway never forwards these patterns).
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type SnapshotRequest, SYSTEM_TENANT_ID, type ActivitiesSnapshotReply, type ContactsSnapshotReply, type RequestContext } from '@sigil/contracts';
import { Forbidden } from '@sigil/platform';
import { ActivitiesRepository } from '../activities/activities.repository';
import { snapshotOf } from '../contacts/contact.entity';
import { ContactsRepository } from '../contacts/contacts.repository';

@Injectable()
export class SnapshotsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contactsRepository: ContactsRepository,
    private readonly activitiesRepository: ActivitiesRepository,
  ) {}

  async contacts(ctx: RequestContext, input: SnapshotRequest): Promise<ContactsSnapshotReply> {
    const { after, limit } = this.authorised(ctx, input);
    const rows = await this.contactsRepository.snapshotPage(this.dataSource.manager, after ?? '', limit);
    return {
      contacts: rows.map((r) => ({ ...snapshotOf(r), tenant_id: r.tenant_id, mode: r.mode })),
      next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
    };
  }

  async activities(ctx: RequestContext, input: SnapshotRequest): Promise<ActivitiesSnapshotReply> {
    const { after, limit } = this.authorised(ctx, input);
    const rows = await this.activitiesRepository.snapshotPage(this.dataSource.manager, after ?? '', limit);
    return {
      activities: rows,
      next_after: rows.length === limit ? rows[rows.length - 1]!.id : null,
    };
  }

  private authorised(ctx: RequestContext, input: SnapshotRequest): SnapshotRequest {
    if (ctx.tenant_id !== SYSTEM_TENANT_ID) throw new Forbidden('insufficient_scope', 'Snapshots are for internal system callers only.');
    return input;
  }
}
