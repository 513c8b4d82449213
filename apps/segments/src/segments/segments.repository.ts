/**
 * SQL of the dynamic-segment aggregate: the `segments` table. Every write
 * to it goes through here.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TenantScope } from '@sigil/platform';

@Injectable()
export class SegmentsRepository {
  /** Segments whose rules name the list (at most 20, by id): a list they use cannot be deleted. */
  async usingList(m: EntityManager, s: TenantScope, listId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM segments WHERE tenant_id = $1 AND mode = $2 AND $3 = ANY(list_refs) ORDER BY id LIMIT 20`,
      [s.tenantId, s.mode, listId],
    );
    return rows.map((r) => r.id);
  }
}
