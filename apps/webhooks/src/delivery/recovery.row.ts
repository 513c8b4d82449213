/** A `webhook_recoveries` row as read with SQL, and its public view. */
import type { RecoveryStatus, RecoveryView } from '@sigil/contracts';

export interface RecoveryRow {
  id: string;
  endpoint_id: string;
  status: RecoveryStatus;
  since: Date;
  until: Date;
  total: number;
  recovered: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export function recoveryView(row: RecoveryRow): RecoveryView {
  return {
    id: row.id,
    webhook_id: row.endpoint_id,
    status: row.status,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
    total: row.total,
    recovered: row.recovered,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}
