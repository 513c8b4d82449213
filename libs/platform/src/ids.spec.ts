import { isId, newId } from './ids';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]+$/;

describe('newId', () => {
  it('is the prefix, an underscore and 26 Crockford base32 characters', () => {
    const id = newId('con');
    expect(id).toMatch(/^con_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(id.slice(4)).toMatch(CROCKFORD);
    expect(isId('con', id)).toBe(true);
  });

  it('never repeats a random part, across refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newId('con', 0));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(14))).size).toBe(ids.length);
  });

  it('encodes the creation time in the first 10 characters', () => {
    expect(newId('evt', 0).slice(4, 14)).toBe('0000000000');
    // 2026-01-01T00:00:00Z = 1767225600000 ms
    const a = newId('evt', Date.UTC(2026, 0, 1));
    const b = newId('evt', Date.UTC(2026, 0, 1));
    expect(a.slice(4, 14)).toBe(b.slice(4, 14));
    expect(a).not.toBe(b);
  });

  it('sorts by creation time, whatever the random part', () => {
    const times = [1, 31, 32, 1023, 1024, Date.UTC(2025, 5, 1), Date.UTC(2025, 5, 1) + 1, Date.UTC(2099, 0, 1)];
    const ids = times.map((t) => newId('con', t));
    const shuffled = [...ids].reverse();
    expect(shuffled.sort()).toEqual(ids);
  });

  it('sorts ids made one millisecond apart in creation order', () => {
    const start = Date.now();
    const ids = Array.from({ length: 200 }, (_, i) => newId('con', start + i));
    expect([...ids].sort()).toEqual(ids);
  });

  it('does not repeat itself within one millisecond', () => {
    const now = Date.now();
    const ids = new Set(Array.from({ length: 20000 }, () => newId('con', now)));
    expect(ids.size).toBe(20000);
  });

  it('spreads the random part over the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of newId('x').slice(12)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});

describe('isId', () => {
  it('rejects another prefix, wrong lengths, lowercase and ambiguous letters', () => {
    const id = newId('con');
    expect(isId('evt', id)).toBe(false);
    expect(isId('con', id.slice(0, -1))).toBe(false);
    expect(isId('con', `${id}0`)).toBe(false);
    expect(isId('con', id.toLowerCase())).toBe(false);
    expect(isId('con', `con_${'I'.repeat(26)}`)).toBe(false);
    expect(isId('con', `con_${'U'.repeat(26)}`)).toBe(false);
    expect(isId('con', 42)).toBe(false);
    expect(isId('con', undefined)).toBe(false);
  });
});
