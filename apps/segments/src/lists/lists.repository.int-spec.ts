/**
 * ListsRepository on real PostgreSQL: every method is bound to its scope (a
 * list of one tenant or mode is invisible and untouchable from another), and
 * the member writes the read model relies on (merge, erase) do what they say.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf, type TenantScope } from '@sigil/platform';
import { contactSnapshot, TestDatabase, testContext } from '@sigil/testing';
import { SEGMENTS_MIGRATIONS } from '../migrations';
import { ReadModelRepository } from '../read-model/read-model.repository';
import { ListsRepository } from './lists.repository';

let db: TestDatabase;
let ds: DataSource;
const lists = new ListsRepository();
const contacts = new ReadModelRepository();

beforeAll(async () => {
  db = await TestDatabase.create('segments', SEGMENTS_MIGRATIONS);
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

/** Contacts of the scope in the read model, ids ascending. */
async function contactsOf(s: TenantScope, n: number, overrides: Parameters<typeof contactSnapshot>[0] = {}): Promise<string[]> {
  const snapshots = Array.from({ length: n }, () => ({ ...contactSnapshot(overrides), tenant_id: s.tenantId, mode: s.mode }));
  await contacts.upsert(ds.manager, snapshots);
  return snapshots.map((c) => c.id).sort();
}

it('binds every method to its scope: another tenant or mode neither sees nor changes the list', async () => {
  const mine = scopeOf(testContext());
  const strangers: TenantScope[] = [scopeOf(testContext()), { ...mine, mode: 'test' }];
  const list = await lists.insert(ds.manager, mine, { id: newId('lst'), name: 'Mine', description: null });
  const members = await contactsOf(mine, 2);
  expect((await lists.addMembers(ds.manager, mine, list.id, members)).sort()).toEqual(members);

  for (const other of strangers) {
    expect(await lists.find(ds.manager, other, list.id, 'count')).toBeUndefined();
    expect(await lists.page(ds.manager, other, '', 10, 0)).toEqual([]);
    expect(await lists.existingIds(ds.manager, other, [list.id])).toEqual(new Set());
    expect(await lists.update(ds.manager, other, list.id, { name: 'Taken' })).toBeUndefined();
    expect(await lists.members(ds.manager, other, list.id, { after: '', limit: 10 })).toEqual([]);
    expect(await lists.memberIds(ds.manager, other, list.id, '', 10)).toEqual([]);
    expect(await lists.removeMembers(ds.manager, other, list.id, members)).toEqual([]);
    expect(await lists.removeContact(ds.manager, other, members[0]!)).toEqual([]);
    await lists.delete(ds.manager, other, list.id);
  }

  const kept = await lists.find(ds.manager, mine, list.id, 'count');
  expect(kept).toMatchObject({ name: 'Mine', member_count: '2' });
  expect(await lists.memberIds(ds.manager, mine, list.id, '', 10)).toEqual(members);
});

it('pages by id with member counts, and filters an export to subscribed, unsuppressed members', async () => {
  const s = scopeOf(testContext());
  const a = await lists.insert(ds.manager, s, { id: newId('lst'), name: 'A', description: 'first' });
  const b = await lists.insert(ds.manager, s, { id: newId('lst'), name: 'B', description: null });
  const [subscribed] = await contactsOf(s, 1);
  const [unsubscribed] = await contactsOf(s, 1, { subscription_status: 'unsubscribed' });
  const [suppressed] = await contactsOf(s, 1, { suppressed: true });
  await lists.addMembers(ds.manager, s, b.id, [subscribed!, unsubscribed!, suppressed!]);

  const counts = new Map([
    [a.id, 0],
    [b.id, 3],
  ]);
  const [first, second] = [a.id, b.id].sort();
  const page = await lists.page(ds.manager, s, '', 10, 0);
  expect(page.map((l) => [l.id, Number(l.member_count)])).toEqual([first, second].map((id) => [id, counts.get(id!)]));
  expect((await lists.page(ds.manager, s, first!, 10, 0)).map((l) => l.id)).toEqual([second]);
  expect((await lists.members(ds.manager, s, b.id, { after: '', limit: 10 })).map((r) => r.id).sort()).toEqual([subscribed, unsubscribed, suppressed].sort());
  expect((await lists.members(ds.manager, s, b.id, { after: '', limit: 10, subscribedOnly: true })).map((r) => r.id)).toEqual([subscribed]);

  const renamed = await lists.update(ds.manager, s, a.id, { name: 'A2' });
  expect(renamed).toMatchObject({ name: 'A2', description: 'first' });
  expect(await lists.update(ds.manager, s, a.id, { description: null })).toMatchObject({ name: 'A2', description: null });
});

it('a merge moves memberships to the primary (keeping when the duplicate was added; new lists only); an erase leaves every list', async () => {
  const s = scopeOf(testContext());
  const [primary, duplicate] = await contactsOf(s, 2);
  const both = await lists.insert(ds.manager, s, { id: newId('lst'), name: 'Both', description: null });
  const onlyDuplicate = await lists.insert(ds.manager, s, { id: newId('lst'), name: 'Dup', description: null });
  await lists.addMembers(ds.manager, s, both.id, [primary!, duplicate!]);
  await lists.addMembers(ds.manager, s, onlyDuplicate.id, [duplicate!]);
  const addedAt = async (listId: string, contactId: string): Promise<Date | undefined> => {
    const rows: Array<{ added_at: Date }> = await ds.query(`SELECT added_at FROM list_members WHERE tenant_id = $1 AND list_id = $2 AND contact_id = $3`, [
      s.tenantId,
      listId,
      contactId,
    ]);
    return rows[0]?.added_at;
  };
  const duplicateSince = await addedAt(onlyDuplicate.id, duplicate!);

  expect(await lists.absorbMembers(ds.manager, s, primary!, [duplicate!])).toEqual([onlyDuplicate.id]);
  expect(await addedAt(onlyDuplicate.id, primary!)).toEqual(duplicateSince);

  expect((await lists.removeContact(ds.manager, s, primary!)).sort()).toEqual([both.id, onlyDuplicate.id].sort());
  expect(await lists.memberIds(ds.manager, s, both.id, '', 10)).toEqual([duplicate]);
});
