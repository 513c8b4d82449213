/**
 * SQL of the database snapshots a segment export reads in (export-snapshots.ts
 * decides when they open, who holds them and when they end): a read-only
 * REPEATABLE READ transaction that exports its snapshot, one that imports a
 * snapshot another connection exported, and the end of either.
 *
 * Every method runs on the manager of a connection of its own
 * (`queryRunner.manager`, never `dataSource.manager`): the statements set up
 * that connection's transaction. No tenant scope: a snapshot is the state of
 * the whole database at an instant and reads no row itself; the reads in it
 * go through the tenant-scoped repositories (`SegmentsRepository.find`,
 * `MembershipRepository.exportText`).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What `pg_export_snapshot()` returns, e.g. `00000003-0000001B-1`. */
const SNAPSHOT_ID = /^[0-9A-F]{8}-[0-9A-F]{8}-[0-9]{1,10}$/;

/** Whether a client's snapshot id has the shape PostgreSQL gives them (it is written into SQL). */
export function isSnapshotId(value: string): boolean {
  return SNAPSHOT_ID.test(value);
}

@Injectable()
export class ExportSnapshotsRepository {
  /** Starts a read-only REPEATABLE READ transaction and returns the id of its snapshot, which other connections may import. */
  async begin(m: EntityManager): Promise<string> {
    await m.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ id }] = (await m.query('SELECT pg_export_snapshot() AS id')) as [{ id: string }];
    return id;
  }

  /**
   * Starts a read-only REPEATABLE READ transaction in an exported snapshot.
   * False when the snapshot cannot be imported (released, or never was): the
   * transaction is then aborted and must be ended.
   */
  async join(m: EntityManager, snapshot: string): Promise<boolean> {
    // SET TRANSACTION SNAPSHOT takes no bind parameter: only an id of the exact shape is written into it.
    if (!isSnapshotId(snapshot)) return false;
    await m.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      await m.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
      return true;
    } catch {
      return false;
    }
  }

  /** Ends the connection's snapshot transaction (it wrote nothing). */
  async end(m: EntityManager): Promise<void> {
    await m.query('ROLLBACK');
  }
}
