/** The import's in-memory key ledger: first row kept, growth keeps every key, hashes by content. */
import { keyHash, KeyLedger, MEMORY_LEDGER_MAX_KEYS, memoryLedgerFor } from './import-key-ledger';

describe('KeyLedger', () => {
  it('keeps the first row that took a key', () => {
    const ledger = new KeyLedger();
    expect(ledger.rowOf(keyHash('e:a@x.io'))).toBe(0);
    ledger.take(keyHash('e:a@x.io'), 3);
    ledger.take(keyHash('e:a@x.io'), 9);
    expect(ledger.rowOf(keyHash('e:a@x.io'))).toBe(3);
    expect(ledger.rowOf(keyHash('x:a@x.io'))).toBe(0);
    expect(ledger.size).toBe(1);
  });

  it('finds every key after growing many times', () => {
    const ledger = new KeyLedger();
    const n = 100_000;
    for (let i = 1; i <= n; i++) ledger.take(keyHash(`e:user${i}@x.io`), i);
    expect(ledger.size).toBe(n);
    const wrong: number[] = [];
    for (let i = 1; i <= n; i++) if (ledger.rowOf(keyHash(`e:user${i}@x.io`)) !== i) wrong.push(i);
    for (let i = n + 1; i <= n + 1000; i++) if (ledger.rowOf(keyHash(`e:user${i}@x.io`)) !== 0) wrong.push(i);
    expect(wrong).toEqual([]);
  });

  it('tells keys apart that share the table slot', () => {
    const ledger = new KeyLedger();
    // Same low bits (the slot), different high bits: probing must compare the whole hash.
    ledger.take({ hi: 1, lo: 5 }, 1);
    ledger.take({ hi: 2, lo: 5 }, 2);
    ledger.take({ hi: 3, lo: 21 }, 3);
    expect(ledger.rowOf({ hi: 1, lo: 5 })).toBe(1);
    expect(ledger.rowOf({ hi: 2, lo: 5 })).toBe(2);
    expect(ledger.rowOf({ hi: 3, lo: 21 })).toBe(3);
    expect(ledger.rowOf({ hi: 4, lo: 5 })).toBe(0);
  });

  it('refuses row 0, which marks an empty slot', () => {
    expect(() => new KeyLedger().take(keyHash('e:a'), 0)).toThrow(RangeError);
  });
});

describe('memoryLedgerFor', () => {
  const mapping = (targets: string[]) => ({ mapping: Object.fromEntries(targets.map((t, i) => [`c${i}`, t])) });

  it('keeps a job in memory while rows × mapped unique keys fit, and sends a larger one to the key table', () => {
    expect(memoryLedgerFor({ rows_total: MEMORY_LEDGER_MAX_KEYS, options: mapping(['email', 'first_name']) })).toBeInstanceOf(KeyLedger);
    expect(memoryLedgerFor({ rows_total: MEMORY_LEDGER_MAX_KEYS + 1, options: mapping(['email', 'first_name']) })).toBeUndefined();
    // Both unique keys mapped: two keys a row.
    expect(memoryLedgerFor({ rows_total: MEMORY_LEDGER_MAX_KEYS / 2, options: mapping(['email', 'external_id']) })).toBeInstanceOf(KeyLedger);
    expect(memoryLedgerFor({ rows_total: MEMORY_LEDGER_MAX_KEYS / 2 + 1, options: mapping(['external_id', 'email']) })).toBeUndefined();
    expect(memoryLedgerFor({ rows_total: 10, options: mapping(['email']) }, 9)).toBeUndefined();
  });
});
