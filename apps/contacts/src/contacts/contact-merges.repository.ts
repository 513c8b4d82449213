/**
 * SQL of the record of merges (`contact_merges`): what was merged into what,
 * for idempotent repeats — one set-based statement each. The rows a merge
 * changes are written by their own repositories (contacts, activities).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantScope } from '@sigil/platform';

@Injectable()
export class ContactMergesRepository {
  /** For each of these ids that was merged away earlier: the contact it was merged into. */
  async mergedInto(m: EntityManager, s: TenantScope, ids: string[]): Promise<Map<string, string>> {
    const rows: { duplicate_id: string; primary_id: string }[] = await m.query(
      `SELECT duplicate_id, primary_id FROM contact_merges WHERE tenant_id = $1 AND mode = $2 AND duplicate_id = ANY($3::text[])`,
      [s.tenantId, s.mode, ids],
    );
    return new Map(rows.map((r) => [r.duplicate_id, r.primary_id]));
  }

  async record(m: EntityManager, s: TenantScope, primaryId: string, duplicateIds: string[]): Promise<void> {
    await m.query(`INSERT INTO contact_merges (tenant_id, mode, duplicate_id, primary_id) SELECT $1, $2, unnest($4::text[]), $3`, [
      s.tenantId,
      s.mode,
      primaryId,
      duplicateIds,
    ]);
  }
}
