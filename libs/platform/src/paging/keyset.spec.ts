/** The shared keyset pagination: positions round-trip, anything else is a 400 on `cursor`, and the page meta is exact. */
import { DomainError } from '../errors/domain-errors';
import { newId } from '../ids';
import { decodeCursor, encodeCursor, isIdOf, keysetPage, pageWindow } from './keyset';

const isKeyId = isIdOf('key');

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('accepted');
}

describe('keyset cursors', () => {
  it('round-trip a position', () => {
    const id = newId('key');
    expect(decodeCursor(encodeCursor(id), isKeyId)).toBe(id);
    const tuple = ['2024-01-01 00:00:00+00', newId('act')];
    expect(decodeCursor(encodeCursor(tuple), (v): v is string[] => Array.isArray(v))).toEqual(tuple);
  });

  it.each([
    ['garbage', 'garbage'],
    ['not base64url', 'a b/c=='],
    ['JSON of the wrong shape', encodeCursor({ a: 1 })],
    ['an id of another list', encodeCursor(newId('lst'))],
    ['an SQL fragment', encodeCursor("key_' OR 1=1 --")],
    ['a huge cursor', 'a'.repeat(10_000)],
  ])('refuse %s with 400 validation_failed on cursor (the SPEC envelope)', (_, raw) => {
    const err = refusal(() => decodeCursor(raw, isKeyId));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'cursor', code: 'invalid' }] });
  });
});

describe('pageWindow', () => {
  it('reads page+limit as an offset and defaults the limit', () => {
    expect(pageWindow({ page: 3, limit: 10 }, 50, isKeyId)).toEqual({ limit: 10, offset: 20, page: 3 });
    expect(pageWindow({}, 50, isKeyId)).toEqual({ limit: 50, offset: 0, page: 1 });
  });

  it('reads a cursor as the position to start after, with no page number', () => {
    const id = newId('key');
    expect(pageWindow({ cursor: encodeCursor(id), limit: 5 }, 50, isKeyId)).toEqual({ limit: 5, after: id, offset: 0 });
    expect(() => pageWindow({ cursor: 'nope' }, 50, isKeyId)).toThrow(DomainError);
  });
});

describe('keysetPage', () => {
  const rows = ['a', 'b', 'c'].map((id) => ({ id }));

  it('drops the probe row, says there is more and points after the last row kept', () => {
    const { items, meta } = keysetPage(rows, { limit: 2, page: 1 }, (r) => r.id, { total: 3 });
    expect(items).toEqual(rows.slice(0, 2));
    expect(meta).toEqual({ page: 1, limit: 2, total: 3, has_more: true, next_cursor: encodeCursor('b') });
  });

  it('ends with has_more false and a null cursor; no page number in cursor mode', () => {
    expect(keysetPage(rows, { limit: 5 }, (r) => r.id).meta).toEqual({ limit: 5, has_more: false, next_cursor: null });
    expect(keysetPage([], { limit: 5 }, (r: { id: string }) => r.id).meta).toEqual({ limit: 5, has_more: false, next_cursor: null });
  });
});
