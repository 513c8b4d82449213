import { containsNul } from './nul-characters';

describe('containsNul', () => {
  it('finds U+0000 in nested strings and keys, and nothing else', () => {
    expect(containsNul({ a: ['x', { b: 'y\u0000' }] })).toBe(true);
    expect(containsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNul({ a: ['\\u0000', 0, null, true], b: { c: 'ok' } })).toBe(false);
  });
});
