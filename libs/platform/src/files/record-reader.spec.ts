/** The streaming CSV/NDJSON reader: RFC 4180 cases, any chunk boundaries, offsets to resume from, hostile input. */
import { RecordReader, splitCsv, type FileFormat, type FileRecord } from './record-reader';

function readAll(input: Buffer | string, format: FileFormat = 'csv', chunkSize = Infinity, maxRecordBytes?: number): FileRecord[] {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const reader = new RecordReader({ format, maxRecordBytes });
  const out: FileRecord[] = [];
  const step = Number.isFinite(chunkSize) ? chunkSize : bytes.length || 1;
  for (let i = 0; i < bytes.length; i += step) out.push(...reader.push(bytes.subarray(i, i + step)));
  out.push(...reader.end());
  return out;
}

const text = (r: FileRecord) => r.fields.map((f) => f.toString('utf8'));

describe('RecordReader (CSV)', () => {
  const file = '\uFEFFemail,name,note\r\na@x.io,"Lovelace, Ada","line one\nline two"\r\n\r\nb@x.io,"say ""hi""",\nc@x.io,,last';

  it('splits records and fields: BOM, CRLF, quoted commas, quoted line breaks, escaped quotes, blank lines, no final newline', () => {
    expect(readAll(file).map(text)).toEqual([
      ['email', 'name', 'note'],
      ['a@x.io', 'Lovelace, Ada', 'line one\nline two'],
      ['b@x.io', 'say "hi"', ''],
      ['c@x.io', '', 'last'],
    ]);
  });

  it('gives the same records whatever the chunk boundaries (every size from 1 byte)', () => {
    const whole = readAll(file).map((r) => [text(r), r.start, r.end]);
    for (let size = 1; size <= 12; size++) expect(readAll(file, 'csv', size).map((r) => [text(r), r.start, r.end])).toEqual(whole);
  });

  it('reports offsets from which a new reader resumes exactly', () => {
    const bytes = Buffer.from(file);
    const all = readAll(bytes);
    const resumeAt = all[1]!.end;
    const reader = new RecordReader({ format: 'csv', startOffset: resumeAt });
    const rest = [...reader.push(bytes.subarray(resumeAt)), ...reader.end()];
    expect(rest.map(text)).toEqual(all.slice(2).map(text));
    expect(rest.map((r) => r.start)).toEqual(all.slice(2).map((r) => r.start));
  });

  it('makes a malformed record an error of its own and goes on', () => {
    const records = readAll('a,b\n5" screen,z\n"q"r,s\nok,1\n"never closed,2\nmore\n');
    // A quote inside an unquoted field is a character; an unterminated quoted field runs to the end of the file.
    expect(records.map((r) => (r.error ? 'error' : text(r).join('|')))).toEqual(['a|b', '5" screen|z', 'error', 'ok|1', 'error']);
  });

  it('skips a record longer than the limit instead of buffering the rest of the file', () => {
    const long = 'x'.repeat(5000);
    const records = readAll(`a,b\n${long},1\nok,2\n`, 'csv', 100, 1000);
    expect(records.map((r) => r.error ?? text(r).join('|'))).toEqual(['a|b', 'the row is longer than 1000 bytes', 'ok|2']);
    expect(records[1]!.raw.length).toBeLessThanOrEqual(2048);
  });

  it('keeps bytes as they are: invalid UTF-8 reaches the caller, per field', () => {
    const records = readAll(Buffer.concat([Buffer.from('a,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    expect(records[0]!.fields[1]).toEqual(Buffer.from([0xc3, 0x28]));
  });

  it('splits 10 000 columns', () => {
    const row = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
    expect((splitCsv(Buffer.from(row)) as Buffer[]).length).toBe(10_000);
  });
});

describe('RecordReader (NDJSON)', () => {
  it('gives one field per non-blank line', () => {
    expect(readAll('{"a":1}\r\n\n  \n{"b":"x,\\"y"}', 'ndjson', 3).map(text)).toEqual([['{"a":1}'], ['{"b":"x,\\"y"}']]);
  });
});
