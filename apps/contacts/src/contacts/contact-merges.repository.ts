/**
 * SQL of merging contacts: the record of what was merged into what (for
 * idempotent repeats), and moving the duplicates' activities to the primary —
 * one set-based statement each, whatever the number of rows moved.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Scope } from './contacts.repository';

@Injectable()
export class ContactMergesRepository {
  /** For each of these ids that was merged away earlier: the contact it was merged into. */
  async mergedInto(m: EntityManager, s: Scope, ids: string[]): Promise<Map<string, string>> {
    const rows: { duplicate_id: string; primary_id: string }[] = await m.query(
      `SELECT duplicate_id, primary_id FROM contact_merges WHERE tenant_id = $1 AND mode = $2 AND duplicate_id = ANY($3::text[])`,
      [s.tenantId, s.mode, ids],
    );
    return new Map(rows.map((r) => [r.duplicate_id, r.primary_id]));
  }

  async record(m: EntityManager, s: Scope, primaryId: string, duplicateIds: string[]): Promise<void> {
    await m.query(`INSERT INTO contact_merges (tenant_id, mode, duplicate_id, primary_id) SELECT $1, $2, unnest($4::text[]), $3`, [
      s.tenantId,
      s.mode,
      primaryId,
      duplicateIds,
    ]);
  }

  /** Re-points every activity of the duplicates at the primary (uses activities_tenant_contact). */
  async moveActivities(m: EntityManager, s: Scope, primaryId: string, duplicateIds: string[]): Promise<number> {
    const [, moved]: [unknown, number] = await m.query(`UPDATE activities SET contact_id = $3 WHERE tenant_id = $1 AND mode = $2 AND contact_id = ANY($4::text[])`, [
      s.tenantId,
      s.mode,
      primaryId,
      duplicateIds,
    ]);
    return moved;
  }
}
