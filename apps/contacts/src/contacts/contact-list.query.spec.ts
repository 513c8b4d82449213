import { ListContactsQuerySchema } from '@sigil/contracts';
import { ValidationFailed } from '@sigil/platform';
import { decodeCursor, encodeCursor, escapeLike, listSql, parseSort, resolveOrder, SYNC_HORIZON } from './contact-list.query';

const q = (input: object) => ListContactsQuerySchema.parse(input);

describe('contact list query', () => {
  it('parses sorts both ways', () => {
    expect(parseSort('email')).toEqual({ key: 'email', dir: 'asc' });
    expect(parseSort('-updated_at')).toEqual({ key: 'updated_at', dir: 'desc' });
    expect(parseSort('created_at:desc')).toEqual({ key: 'created_at', dir: 'desc' });
  });

  it('uses sync order for updated_since without sort, and the cursor’s order afterwards', () => {
    expect(resolveOrder(q({ updated_since: '2024-01-01T00:00:00Z' }), null, false)).toEqual({ key: 'sync', dir: 'asc' });
    expect(resolveOrder(q({}), null, false)).toEqual({ key: 'created_at', dir: 'asc' });
    const cursor = decodeCursor(encodeCursor({ k: 'email', d: 'desc', v: 'a@b.c', i: 'con_1' }));
    expect(resolveOrder(q({}), cursor, false)).toEqual({ key: 'email', dir: 'desc' });
    expect(() => resolveOrder(q({ sort: 'email' }), cursor, false)).toThrow(ValidationFailed);
    expect(() => resolveOrder(q({ sort: 'email' }), null, true)).toThrow(ValidationFailed);
  });

  it('refuses tampered cursors', () => {
    expect(() => decodeCursor('nope')).toThrow(ValidationFailed);
    expect(() => decodeCursor(encodeCursor({ k: 'sync', d: 'asc', v: '1; DROP TABLE', i: 'x' }))).toThrow(ValidationFailed);
    expect(() => decodeCursor(Buffer.from('{"k":"name","d":"asc","v":"","i":""}').toString('base64url'))).toThrow(ValidationFailed);
  });

  it('rejects unknown params, limits over 100, page with cursor', () => {
    expect(ListContactsQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(ListContactsQuerySchema.safeParse({ foo: '1' }).success).toBe(false);
    expect(ListContactsQuerySchema.safeParse({ page: '2', cursor: 'x' }).success).toBe(false);
    expect(ListContactsQuerySchema.safeParse({ list_id: 'a', segment_id: 'b' }).success).toBe(false);
    expect(ListContactsQuerySchema.parse({ limit: '10', page: '3' })).toEqual({ limit: 10, page: 3 });
  });

  it('passes every user value as a parameter, LIKE wildcards escaped', () => {
    const { sql, params } = listSql({
      tenantId: 't',
      mode: 'live',
      query: q({ q: "O'Brien_%", tag: 'vip', updated_since: '2024-01-01T00:00:00Z' }),
      order: { key: 'sync', dir: 'asc' },
      cursor: { k: 'sync', d: 'asc', v: '42', i: 'con_x' },
      fetch: 11,
      offset: 0,
    });
    expect(sql).not.toContain("O'Brien");
    expect(sql).not.toContain('vip');
    expect(params).toEqual(['t', 'live', 'vip', '2024-01-01T00:00:00.000Z', "o'brien\\_\\%%", '42', 'con_x', 11, 0]);
    expect(sql).toContain(`c.sync_xid < ${SYNC_HORIZON}`);
    // Sync order with updated_since starts at the lowest position among the rows changed since then.
    expect(sql).toContain(
      'c.sync_xid >= (SELECT min(u.sync_xid) FILTER (WHERE true) FROM contacts u WHERE u.tenant_id = $1 AND u.mode = $2 AND u.updated_at >= $4::timestamptz)',
    );
    expect(escapeLike('a\\b%c_')).toBe('a\\\\b\\%c\\_');
  });
});
