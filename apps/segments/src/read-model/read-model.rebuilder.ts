/**
 * Rebuilds the read model from the contacts service's snapshot while the
 * service keeps running (`npm run segments:rebuild`, docs/segments.md):
 *
 * 1. every contact of the snapshot is upserted with the same version guard as
 *    live events, so live events applied meanwhile are never overwritten by
 *    an older snapshot row, and vice versa;
 * 2. every activity of the snapshot is inserted (idempotent on its id);
 * 3. contacts the snapshot did not contain and no event touched since the
 *    start were deleted while we were not looking: they are tombstoned.
 *
 * Each page is one transaction that also re-evaluates the segment membership
 * of the contacts it changed, emitting entries/exits like live events do.
 */
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ActivitiesSnapshotReply, ContactsSnapshotReply } from '@sigil/contracts';
import { ReadModelRepository, type ContactKey } from './read-model.repository';
import { ReadModelService } from './read-model.service';

export interface ContactsSnapshotSource {
  contacts(after: string | null, limit: number): Promise<ContactsSnapshotReply>;
  activities(after: string | null, limit: number): Promise<ActivitiesSnapshotReply>;
}

export interface RebuildReport {
  contacts_seen: number;
  contacts_changed: number;
  activities_seen: number;
  contacts_tombstoned: number;
}

export class ReadModelRebuilder {
  private readonly logger = new Logger('ReadModelRebuilder');

  constructor(
    private readonly dataSource: DataSource,
    private readonly readModel: ReadModelService,
    private readonly contacts: ReadModelRepository,
    private readonly source: ContactsSnapshotSource,
    private readonly pageSize = 1000,
  ) {}

  async run(): Promise<RebuildReport> {
    const report: RebuildReport = { contacts_seen: 0, contacts_changed: 0, activities_seen: 0, contacts_tombstoned: 0 };
    const started = await this.contacts.now(this.dataSource.manager);

    for (let after: string | null = null; ;) {
      const page = await this.source.contacts(after, this.pageSize);
      if (page.contacts.length) {
        await this.dataSource.transaction(async (manager) => {
          report.contacts_changed += (await this.readModel.upsert(manager, page.contacts)).length;
          // Unchanged rows are still "seen": step 3 must not tombstone them.
          await this.contacts.markSynced(manager, page.contacts);
        });
      }
      report.contacts_seen += page.contacts.length;
      if (page.next_after === null || !page.contacts.length) break;
      after = page.next_after;
    }
    this.logger.log({ msg: 'contacts applied', ...report });

    for (let after: string | null = null; ;) {
      const page = await this.source.activities(after, this.pageSize);
      if (page.activities.length) {
        await this.dataSource.transaction((manager) => this.readModel.recordActivities(manager, page.activities));
      }
      report.activities_seen += page.activities.length;
      if (page.next_after === null || !page.activities.length) break;
      after = page.next_after;
    }

    for (let after: ContactKey | null = null; ;) {
      const missing = await this.contacts.notSyncedSince(this.dataSource.manager, started, after, 500);
      if (!missing.length) break;
      after = missing[missing.length - 1]!;
      for (const m of missing) {
        await this.dataSource.transaction((manager) => this.readModel.erase(manager, m.tenant_id, m.mode, m.id, null));
        report.contacts_tombstoned++;
      }
    }
    this.logger.log({ msg: 'rebuild finished', ...report });
    return report;
  }
}
