/**
 * The unique keys (emails and external_ids) an import job has taken so far,
 * with the row that took each: a row repeating an earlier row's key is a
 * `duplicate_row` naming that row, wherever in the file the two are. It lives
 * in the worker's memory for one run of the job and is rebuilt from the staged
 * file up to the saved position when a run resumes (ImportRunner), so it
 * holds exactly what the committed batches took.
 *
 * A key is kept as 64 bits of its SHA-256 in an open-addressing table of
 * typed arrays (12 bytes a slot, at most ¾ full, sized once for the keys the
 * job can have: 24 MB for a file of 1 M emails) instead of a Set of strings
 * (several times that, and a million objects for the garbage collector to
 * walk). Two different keys with the same 64 bits would make the later row a
 * false duplicate: in a file of 1 M keys the odds are about 3 in 10^8.
 */
import { hash } from 'node:crypto';
import { BATCH_MATCH_KEYS, type ImportOptions } from '@sigil/contracts';

/** A key's 64-bit hash, as two 32-bit halves. */
export interface KeyHash {
  hi: number;
  lo: number;
}

export function keyHash(key: string): KeyHash {
  // One-shot hash: a Hash object per row was ~1.5 % of the contacts process's busy time in an import.
  const digest = hash('sha256', key, 'buffer');
  return { hi: digest.readInt32LE(0), lo: digest.readInt32LE(4) };
}

export class KeyLedger {
  private hi: Int32Array;
  private lo: Int32Array;
  /** The row (1-based) that took the slot's key; 0 for an empty slot. */
  private rows: Uint32Array;
  private mask: number;
  private count = 0;

  /** Room for `expectedKeys` without growing (it grows past them). */
  constructor(expectedKeys = 0) {
    const size = 1 << Math.ceil(Math.log2(Math.max(Math.ceil((expectedKeys * 4) / 3) + 1, 16)));
    this.hi = new Int32Array(size);
    this.lo = new Int32Array(size);
    this.rows = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The row that took the key, or 0. */
  rowOf(h: KeyHash): number {
    return this.rows[this.slotOf(h.hi, h.lo)]!;
  }

  /** Records `row` as the key's first row; a key already taken keeps its row. */
  take(h: KeyHash, row: number): void {
    if (row < 1) throw new RangeError(`rows are numbered from 1, got ${row}`);
    const slot = this.slotOf(h.hi, h.lo);
    if (this.rows[slot]) return;
    this.hi[slot] = h.hi;
    this.lo[slot] = h.lo;
    this.rows[slot] = row;
    if (++this.count * 4 > this.rows.length * 3) this.grow();
  }

  /** The key's slot, or the empty slot where it would go (linear probing; the hash's low bits are uniform). */
  private slotOf(hi: number, lo: number): number {
    let slot = lo & this.mask;
    while (this.rows[slot] && (this.hi[slot] !== hi || this.lo[slot] !== lo)) slot = (slot + 1) & this.mask;
    return slot;
  }

  private grow(): void {
    const { hi, lo, rows } = this;
    const size = rows.length * 2;
    this.hi = new Int32Array(size);
    this.lo = new Int32Array(size);
    this.rows = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < rows.length; i++) {
      if (!rows[i]) continue;
      const slot = this.slotOf(hi[i]!, lo[i]!);
      this.hi[slot] = hi[i]!;
      this.lo[slot] = lo[i]!;
      this.rows[slot] = rows[i]!;
    }
  }
}

/**
 * A job with at most this many keys (rows × mapped unique keys) keeps its ledger in memory, sized once: at most
 * 48 MB. A larger file (a 200 MB upload holds up to ~28 M rows) claims its keys in `import_keys` instead, one
 * statement per batch, so a worker's memory stays bounded whatever the file. Fixed (not a setting): a job must
 * keep its kind of ledger across the runs that resume it.
 */
export const MEMORY_LEDGER_MAX_KEYS = 2_000_000;

/** The job's key ledger, if its keys fit in memory (MEMORY_LEDGER_MAX_KEYS); sized once for all of them. */
export function memoryLedgerFor(job: { rows_total: number; options: Pick<ImportOptions, 'mapping'> }, maxKeys = MEMORY_LEDGER_MAX_KEYS): KeyLedger | undefined {
  const targets = new Set(Object.values(job.options.mapping));
  const keys = job.rows_total * BATCH_MATCH_KEYS.filter((k) => targets.has(k)).length;
  return keys <= maxKeys ? new KeyLedger(keys) : undefined;
}
