/**
 * Where an upload goes: its bytes, as they stream in, into the contacts
 * database's `import_chunks` table (1 MiB rows keyed by import id) — the one
 * durable store every contacts replica's import worker can read. Kafka
 * request/reply cannot carry a 200 MB file, and a gateway-local disk is not
 * visible to the worker. The gateway's credential for that database
 * (`IMPORTS_DATABASE_URL`) needs only INSERT/DELETE on `import_chunks`; the
 * job itself (create, queue, read, cancel) stays the contacts service's,
 * over Kafka. See docs/contacts.md, "Import jobs".
 *
 * While streaming it also reads the file as the worker will (RecordReader):
 * a file that is not CSV/NDJSON at all is refused from its first bytes, the
 * CSV header is returned for the mapping check, and rows are counted for
 * `rows_total`. Memory stays at about one chunk per upload.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import type { Readable } from 'node:stream';
import { MAX_IMPORT_COLUMNS, type ImportOptions, type StartImport } from '@sigil/contracts';
import { decodeField, DomainError, RecordReader, ValidationFailed } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export const STAGING_CHUNK_BYTES = 1024 * 1024;
/** How many leading bytes decide whether the file is text at all. */
const SNIFF_BYTES = 8192;

/** Signatures of common binary files someone may upload by mistake (spreadsheets, archives, PDFs, images). */
const BINARY_MAGIC: Array<[string, Buffer]> = [
  ['a ZIP archive (an .xlsx workbook?)', Buffer.from('PK\x03\x04', 'latin1')],
  ['a gzip file', Buffer.from([0x1f, 0x8b])],
  ['a PDF document', Buffer.from('%PDF', 'latin1')],
  ['an Excel 97 workbook', Buffer.from([0xd0, 0xcf, 0x11, 0xe0])],
  ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
];

function notAFile(message: string): DomainError {
  return new ValidationFailed([{ field: 'file', code: 'invalid', message }], 'The file is not CSV or NDJSON.');
}

/** Refuses, from its first bytes, a file that is not text in the declared format. */
export function sniff(head: Buffer, format: ImportOptions['format'], complete: boolean): void {
  if (!head.length) throw notAFile('the file is empty');
  for (const [what, magic] of BINARY_MAGIC) if (head.subarray(0, magic.length).equals(magic)) throw notAFile(`the file is ${what}`);
  const probe = head.subarray(0, SNIFF_BYTES);
  if (probe.includes(0)) throw notAFile('the file holds NUL bytes: it is binary, not text');
  // The first line must be readable text; a cut mid-character at the probe's end is fine.
  const firstLine = probe.subarray(0, probe.indexOf(0x0a) === -1 ? probe.length : probe.indexOf(0x0a));
  const text = decodeField(firstLine) ?? (complete || firstLine.length < probe.length ? undefined : decodeField(firstLine.subarray(0, -3)));
  if (text === undefined) throw notAFile('the first line is not UTF-8 text');
  if (format === 'ndjson' && !/^(\uFEFF)?\s*\{/.test(text)) throw notAFile('the first line is not a JSON object (NDJSON has one object per line)');
}

export type StagedFile = Omit<StartImport, 'id'>;

@Injectable()
export class ImportStaging implements OnModuleDestroy {
  private readonly pool: Pool | undefined;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.pool = config.IMPORTS_DATABASE_URL
      ? new Pool({ connectionString: config.IMPORTS_DATABASE_URL, max: config.IMPORTS_DATABASE_POOL_SIZE, application_name: 'sigil-gateway-imports' })
      : undefined;
  }

  get available(): boolean {
    return this.pool !== undefined;
  }

  /**
   * Streams `file` into staging; resolves with what the worker needs. Throws
   * (after removing what it stored) on a refused file; the caller aborts the
   * job either way, which deletes any chunk left behind.
   */
  async stage(importId: string, file: Readable, format: ImportOptions['format']): Promise<StagedFile> {
    const pool = this.pool;
    if (!pool) throw new DomainError(503, 'service_unavailable', 'Imports are not configured on this gateway.');
    const reader = new RecordReader({ format });
    let header: string[] | null = format === 'csv' ? null : [];
    let dataOffset = 0;
    let rows = 0;
    let bytes = 0;
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let sniffed = false;

    const count = (records: ReturnType<RecordReader['push']>) => {
      for (const r of records) {
        if (header === null) {
          header = headerOf(r.fields, r.error);
          dataOffset = r.end;
        } else rows++;
      }
    };
    const flush = async () => {
      if (!pendingBytes) return;
      const data = Buffer.concat(pending, pendingBytes);
      const offset = bytes - pendingBytes;
      pending = [];
      pendingBytes = 0;
      await pool.query(`INSERT INTO import_chunks (import_id, seq, file_offset, data) VALUES ($1, $2, $3, $4)`, [importId, seq++, offset, data]);
    };

    for await (const piece of file as AsyncIterable<Buffer>) {
      bytes += piece.length;
      pending.push(piece);
      pendingBytes += piece.length;
      if (!sniffed && pendingBytes >= SNIFF_BYTES) {
        sniff(Buffer.concat(pending), format, false);
        sniffed = true;
      }
      count(reader.push(piece));
      if (pendingBytes >= STAGING_CHUNK_BYTES) await flush();
    }
    if (!sniffed) sniff(Buffer.concat(pending), format, true);
    count(reader.end());
    await flush();
    if (header === null) throw notAFile('the file has no header row');
    return { bytes, rows_total: rows, header, data_offset: format === 'csv' ? dataOffset : 0 };
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.end();
  }
}

function headerOf(fields: Buffer[], error: string | undefined): string[] {
  if (error) throw notAFile(`the header row is malformed: ${error}`);
  if (fields.length > MAX_IMPORT_COLUMNS) throw notAFile(`the header has ${fields.length} columns; at most ${MAX_IMPORT_COLUMNS} are read`);
  return fields.map((f) => {
    const name = decodeField(f);
    if (name === undefined) throw notAFile('the header row is not UTF-8 text');
    return name.trim();
  });
}
