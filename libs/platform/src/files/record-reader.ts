/**
 * A streaming reader of CSV (RFC 4180) and NDJSON files, fed byte chunks of
 * any size and boundaries, emitting one record at a time with its byte
 * offsets in the file. It works on bytes, not text: quotes, commas and line
 * breaks are ASCII, so splitting before decoding is safe for UTF-8, and a
 * field with invalid UTF-8 becomes an error of its own row instead of
 * U+FFFD silently stored (the caller decodes the fields it needs with
 * `decodeField`). Offsets let an import resume exactly where it stopped.
 *
 * Rules: a UTF-8 BOM at the start of the file is dropped; records end at LF
 * or CRLF (a CR inside quotes is data); blank lines are skipped; a quote
 * opens a quoted field only at the field's start (elsewhere it is a plain
 * character); `""` inside quotes is a quote; a line break inside quotes is
 * data; text after a closing quote makes the record malformed. A record longer
 * than `maxRecordBytes` is reported as an error and skipped, so one
 * unterminated quote cannot make the reader buffer the rest of a 200 MB file.
 */

export type FileFormat = 'csv' | 'ndjson';

export interface FileRecord {
  /** CSV: the fields (quotes removed); NDJSON: one element, the line. Empty when `error` is set. */
  fields: Buffer[];
  /** Byte offset of the record's first byte in the file (BOM included in the count). */
  start: number;
  /** Byte offset just past the record's terminator: where the next record starts. */
  end: number;
  /** The record's raw bytes, capped (for error reports). */
  raw: Buffer;
  /** Set when the record could not be split into fields. */
  error?: string;
}

export interface RecordReaderOptions {
  format: FileFormat;
  /** Absolute file offset of the first byte that will be pushed (resuming mid-file). */
  startOffset?: number;
  maxRecordBytes?: number;
  /** Bytes of `raw` kept per record. */
  rawBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class RecordReader {
  private carry: Buffer = Buffer.alloc(0);
  /** Absolute offset of carry[0]. */
  private base: number;
  /** Where scanning resumes in carry (bytes before it are scanned, inside the current record). */
  private scanned = 0;
  private inQuotes = false;
  /** Absolute offset of the last closing quote: a quote right after it is the second of an escaped `""`. */
  private lastClose = -2;
  /** Inside an over-long record: bytes are dropped until its terminator. */
  private skipping = false;
  private skipStart = 0;
  private skipRaw: Buffer = Buffer.alloc(0);
  private readonly maxRecordBytes: number;
  private readonly rawBytes: number;
  private atFileStart: boolean;

  constructor(private readonly options: RecordReaderOptions) {
    this.base = options.startOffset ?? 0;
    this.atFileStart = this.base === 0;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.rawBytes = options.rawBytes ?? 2048;
  }

  /** Feeds the next bytes; returns the records they completed, in file order. */
  push(chunk: Buffer): FileRecord[] {
    let buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.atFileStart) {
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        this.carry = buf;
        return [];
      }
      this.atFileStart = false;
      if (buf.subarray(0, 3).equals(BOM)) {
        buf = buf.subarray(3);
        this.base += 3;
      }
    }
    const out: FileRecord[] = [];
    let recordStart = 0;
    let pos = this.scanned;
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      const segmentEnd = lf === -1 ? buf.length : lf;
      if (this.options.format === 'csv') this.trackQuotes(buf, pos, segmentEnd, recordStart);
      if (lf === -1) break;
      pos = lf + 1;
      if (this.inQuotes) continue;
      // A complete record: [recordStart, lf), terminator through lf.
      if (this.skipping) {
        out.push(this.oversized(buf, recordStart, lf));
        this.skipping = false;
      } else {
        const rec = this.record(buf, recordStart, lf);
        if (rec) out.push(rec);
      }
      recordStart = pos;
    }
    // The unfinished record stays in carry, unless it is already too long.
    if (!this.skipping && buf.length - recordStart > this.maxRecordBytes) {
      this.skipping = true;
      this.skipStart = this.base + recordStart;
      this.skipRaw = Buffer.from(buf.subarray(recordStart, recordStart + this.rawBytes));
    }
    if (this.skipping) {
      this.base += buf.length;
      this.carry = Buffer.alloc(0);
      this.scanned = 0;
    } else {
      this.base += recordStart;
      this.carry = Buffer.from(buf.subarray(recordStart));
      this.scanned = this.carry.length;
    }
    return out;
  }

  /** The end of the file: the last record may lack its line break. */
  end(): FileRecord[] {
    const buf = this.carry;
    if (this.skipping) {
      this.skipping = false;
      return [this.oversized(buf, 0, buf.length)];
    }
    if (!buf.length) return [];
    const rec = this.record(buf, 0, buf.length);
    this.carry = Buffer.alloc(0);
    if (rec && this.inQuotes) return [{ ...rec, fields: [], error: 'a quoted field is not closed before the end of the file' }];
    return rec ? [rec] : [];
  }

  /**
   * Whether the scan is inside a quoted field. A quote opens one only at the
   * start of a field (or as the second quote of `""`); elsewhere in an
   * unquoted field it is a literal character (`5" screen`), so it cannot
   * swallow the following lines.
   */
  private trackQuotes(buf: Buffer, from: number, to: number, recordStart: number): void {
    let q = buf.indexOf(QUOTE, from);
    while (q !== -1 && q < to) {
      const abs = this.base + q;
      if (this.inQuotes) {
        this.inQuotes = false;
        this.lastClose = abs;
      } else if (q === recordStart || buf[q - 1] === COMMA || abs - 1 === this.lastClose) {
        this.inQuotes = true;
      }
      q = buf.indexOf(QUOTE, q + 1);
    }
  }

  private oversized(buf: Buffer, from: number, lf: number): FileRecord {
    const raw = this.skipRaw.length ? this.skipRaw : Buffer.from(buf.subarray(from, from + this.rawBytes));
    const start = this.skipRaw.length ? this.skipStart : this.base + from;
    this.skipRaw = Buffer.alloc(0);
    return { fields: [], start, end: this.base + Math.min(lf + 1, buf.length), raw, error: `the row is longer than ${this.maxRecordBytes} bytes` };
  }

  private record(buf: Buffer, from: number, lf: number): FileRecord | undefined {
    let to = lf;
    if (to > from && buf[to - 1] === CR) to--;
    const end = this.base + Math.min(lf + 1, buf.length);
    if (to === from) return undefined; // blank line
    const bytes = buf.subarray(from, to);
    const raw = Buffer.from(bytes.subarray(0, this.rawBytes));
    const start = this.base + from;
    if (this.options.format === 'ndjson') {
      if (isBlank(bytes)) return undefined;
      return { fields: [bytes], start, end, raw };
    }
    const split = splitCsv(bytes);
    if (typeof split === 'string') return { fields: [], start, end, raw, error: split };
    return { fields: split, start, end, raw };
  }
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  return true;
}

/** Splits one CSV record into fields; a string is the reason it is malformed. */
export function splitCsv(bytes: Buffer): Buffer[] | string {
  const fields: Buffer[] = [];
  let i = 0;
  const n = bytes.length;
  for (;;) {
    if (i < n && bytes[i] === QUOTE) {
      // Quoted field: copy out, turning "" into ".
      const parts: Buffer[] = [];
      let j = i + 1;
      for (;;) {
        const q = bytes.indexOf(QUOTE, j);
        if (q === -1) return 'a quoted field is not closed';
        parts.push(bytes.subarray(j, q));
        if (bytes[q + 1] === QUOTE) {
          parts.push(bytes.subarray(q, q + 1));
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      if (i === n) return fields;
      if (bytes[i] !== COMMA) return `unexpected character after a closing quote at byte ${i + 1} of the row`;
      i++;
      if (i === n) {
        fields.push(Buffer.alloc(0));
        return fields;
      }
      continue;
    }
    const comma = bytes.indexOf(COMMA, i);
    const stop = comma === -1 ? n : comma;
    // A quote inside an unquoted field is kept as a character, as spreadsheets write `5" screen`.
    fields.push(bytes.subarray(i, stop));
    if (comma === -1) return fields;
    i = comma + 1;
    if (i === n) {
      fields.push(Buffer.alloc(0));
      return fields;
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The field as text, or undefined when its bytes are not valid UTF-8. */
export function decodeField(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
