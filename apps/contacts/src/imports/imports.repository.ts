/** SQL of import jobs: the job row, its staged file chunks, the keys it has imported and its error report. */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '@sigil/platform';
import type { ImportOptions, ImportRowError, ImportStatus, ImportView } from '@sigil/contracts';
import type { TenantScope } from '@sigil/platform';

export interface ImportRow {
  id: string;
  tenant_id: string;
  mode: TenantScope['mode'];
  status: ImportStatus | 'uploading';
  options: ImportOptions;
  bytes: string;
  header: string[];
  rows_total: number;
  next_offset: string;
  rows_processed: number;
  created: number;
  updated: number;
  failed: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

export interface ChunkRow {
  seq: number;
  file_offset: string;
  data: Buffer;
}

export interface ProgressDelta {
  nextOffset: number;
  rows: number;
  created: number;
  updated: number;
  failed: number;
}

export function importView(r: ImportRow): ImportView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: r.id,
    status: r.status === 'uploading' ? 'queued' : r.status,
    format: r.options.format,
    mode: r.options.mode,
    match_on: r.options.match_on,
    list_id: r.options.list_id ?? null,
    rows_total: r.rows_total,
    rows_processed: r.rows_processed,
    created: r.created,
    updated: r.updated,
    failed: r.failed,
    bytes: Number(r.bytes),
    error: r.error,
    created_at: new Date(r.created_at).toISOString(),
    started_at: iso(r.started_at),
    completed_at: iso(r.completed_at),
  };
}

@Injectable()
export class ImportsRepository {
  async insert(m: EntityManager, s: TenantScope, id: string, options: ImportOptions): Promise<void> {
    await m.query(`INSERT INTO imports (id, tenant_id, mode, status, options) VALUES ($1, $2, $3, 'uploading', $4)`, [id, s.tenantId, s.mode, options]);
  }

  /**
   * A tenant's job; `uploading` ones are not visible yet. The lock is NO KEY
   * UPDATE: a worker's batch holds KEY SHARE on the job row for its whole
   * transaction (its error and key rows reference it), and FOR UPDATE would
   * make a cancel wait for that batch.
   */
  async find(m: EntityManager, s: TenantScope, id: string, lock = false): Promise<ImportRow | undefined> {
    const rows: ImportRow[] = await m.query(`SELECT * FROM imports WHERE tenant_id = $1 AND mode = $2 AND id = $3 ${lock ? 'FOR NO KEY UPDATE' : ''}`, [
      s.tenantId,
      s.mode,
      id,
    ]);
    return rows[0];
  }

  /** For the worker, which has only the id. */
  async load(m: EntityManager, id: string, lock = false): Promise<ImportRow | undefined> {
    const rows: ImportRow[] = await m.query(`SELECT * FROM imports WHERE id = $1 ${lock ? 'FOR NO KEY UPDATE' : ''}`, [id]);
    return rows[0];
  }

  /** The staged bytes must be exactly what the gateway counted. */
  async stagedBytes(m: EntityManager, id: string): Promise<{ bytes: number; chunks: number }> {
    const rows: { bytes: string | null; chunks: string }[] = await m.query(
      `SELECT sum(octet_length(data)) AS bytes, count(*) AS chunks FROM import_chunks WHERE import_id = $1`,
      [id],
    );
    return { bytes: Number(rows[0]?.bytes ?? 0), chunks: Number(rows[0]?.chunks ?? 0) };
  }

  async markQueued(m: EntityManager, id: string, bytes: number, rowsTotal: number, header: string[], dataOffset: number): Promise<void> {
    await m.query(`UPDATE imports SET status = 'queued', bytes = $2, rows_total = $3, header = $4::jsonb, next_offset = $5 WHERE id = $1 AND status = 'uploading'`, [
      id,
      bytes,
      rowsTotal,
      JSON.stringify(header),
      dataOffset,
    ]);
  }

  async delete(m: EntityManager, s: TenantScope, id: string): Promise<void> {
    await m.query(`DELETE FROM imports WHERE tenant_id = $1 AND mode = $2 AND id = $3 AND status = 'uploading'`, [s.tenantId, s.mode, id]);
  }

  /** Sets the status if the job is in one of `from`; true when it was. */
  async transition(m: EntityManager, id: string, from: readonly string[], to: ImportStatus, error: string | null = null): Promise<boolean> {
    const stamp = to === 'running' ? 'started_at = coalesce(started_at, now())' : 'completed_at = now()';
    const result: unknown = await m.query(
      `UPDATE imports SET status = $3, error = coalesce($4, error), ${stamp} WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
      [id, from, to, error],
    );
    return returnedRows(result).length > 0;
  }

  /** The chunk holding byte `offset` of the file, then each following one. */
  async chunkAt(m: EntityManager, id: string, offset: number): Promise<ChunkRow | undefined> {
    const rows: ChunkRow[] = await m.query(
      `SELECT seq, file_offset, data FROM import_chunks WHERE import_id = $1 AND file_offset <= $2 ORDER BY file_offset DESC LIMIT 1`,
      [id, offset],
    );
    return rows[0];
  }

  async chunk(m: EntityManager, id: string, seq: number): Promise<ChunkRow | undefined> {
    const rows: ChunkRow[] = await m.query(`SELECT seq, file_offset, data FROM import_chunks WHERE import_id = $1 AND seq = $2`, [id, seq]);
    return rows[0];
  }

  /** Registers match keys; returns the ones already registered by an earlier row of the file. */
  async claimKeys(m: EntityManager, id: string, hashes: string[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows: { key_hash: string }[] = await m.query(
      `INSERT INTO import_keys (import_id, key_hash) SELECT $1, h FROM unnest($2::bigint[]) AS h
       ON CONFLICT DO NOTHING RETURNING key_hash`,
      [id, hashes],
    );
    const fresh = new Set(rows.map((r) => String(r.key_hash)));
    return new Set(hashes.filter((h) => !fresh.has(h)));
  }

  async insertErrors(m: EntityManager, id: string, errors: ImportRowError[]): Promise<void> {
    if (!errors.length) return;
    await m.query(
      `INSERT INTO import_errors (import_id, row_no, code, reason, data)
       SELECT $1, r, c, e, d FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS t(r, c, e, d)
       ON CONFLICT DO NOTHING`,
      [id, errors.map((e) => e.row), errors.map((e) => e.code), errors.map((e) => e.reason), errors.map((e) => e.data)],
    );
  }

  /**
   * Waits for the job row's lock (held by the previous batch's position update until that transaction ends) and
   * takes it: the `advance` after it then reads the row as that transaction left it. An UPDATE alone would not
   * wait: its WHERE on the position is checked first against the row as it was when the statement began, and a
   * row that does not match is skipped, locked or not.
   */
  async lockJob(m: EntityManager, id: string): Promise<void> {
    await m.query(`SELECT 1 FROM imports WHERE id = $1 FOR NO KEY UPDATE`, [id]);
  }

  /** Moves the job's position forward; false if it is no longer running at `fromOffset` (cancelled, or taken over). */
  async advance(m: EntityManager, id: string, fromOffset: number, d: ProgressDelta): Promise<boolean> {
    const result: unknown = await m.query(
      `UPDATE imports SET next_offset = $3, rows_processed = rows_processed + $4, created = created + $5, updated = updated + $6, failed = failed + $7
       WHERE id = $1 AND status = 'running' AND next_offset = $2 RETURNING id`,
      [id, fromOffset, d.nextOffset, d.rows, d.created, d.updated, d.failed],
    );
    return returnedRows(result).length > 0;
  }

  /** The staged file and the key set are only needed while the job runs. */
  async dropStaging(m: EntityManager, id: string): Promise<void> {
    await m.query(`DELETE FROM import_chunks WHERE import_id = $1`, [id]);
    await m.query(`DELETE FROM import_keys WHERE import_id = $1`, [id]);
  }

  async errorsPage(m: EntityManager, id: string, after: number, limit: number): Promise<ImportRowError[]> {
    return m.query(`SELECT row_no AS row, code, reason, data FROM import_errors WHERE import_id = $1 AND row_no > $2 ORDER BY row_no LIMIT $3`, [id, after, limit]);
  }

  /** Jobs the queue must hold (a lost Redis, a crash between commit and enqueue). */
  async unfinished(m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(`SELECT id FROM imports WHERE status IN ('queued', 'running') ORDER BY created_at LIMIT 1000`);
    return rows.map((r) => r.id);
  }

  /** Uploads abandoned mid-way (the gateway died): their reservation and bytes go. */
  async deleteAbandonedUploads(m: EntityManager, olderThanSeconds: number): Promise<number> {
    const result: unknown = await m.query(`DELETE FROM imports WHERE status = 'uploading' AND created_at < now() - make_interval(secs => $1) RETURNING id`, [
      olderThanSeconds,
    ]);
    return returnedRows(result).length;
  }
}
