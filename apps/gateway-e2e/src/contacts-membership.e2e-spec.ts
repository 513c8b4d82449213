/**
 * `GET /v1/contacts?list_id=…` and `?segment_id=…` through the gateway: the
 * contacts service asks the segments service (over Kafka) for member ids and
 * applies its own filters on top. Segments learn of contacts from events, so
 * membership is awaited, not assumed.
 */
import { ApiClient, contactInput, createTenant, eventually, TestStack } from '@sigil/testing';

describe('contacts filtered by list and segment', () => {
  let stack: TestStack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start();
    ({ api } = await createTenant(stack.gatewayUrl));
  });

  afterAll(async () => {
    await stack?.close();
  });

  const until = <T>(fetch: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30000): Promise<T> => eventually(fetch, done, { timeoutMs, stepMs: 200 });

  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((c) => c.id);

  it('lists the members of a list, combined with other filters and paged by cursor', async () => {
    const contacts: string[] = [];
    for (let i = 0; i < 5; i++) contacts.push((await api.post('/v1/contacts', contactInput({ tags: i % 2 ? ['vip'] : [] }))).body.data.id);
    const list = await api.post('/v1/lists', { name: 'Newsletter' });
    expect(list.status).toBe(201);
    const members = contacts.slice(0, 4);
    // A contact the segments service has not read yet is reported not_found (200 with an outcome per id): add again
    // until every one is a member (a repeat reports the earlier ones as already_member).
    const added = await until(
      () => api.post(`/v1/lists/${list.body.data.id}/members`, { contact_ids: members }),
      (res) => res.status < 300 && res.body.data.results.every((r: { status: string }) => r.status === 'added' || r.status === 'already_member'),
    );
    expect(added.status).toBeLessThan(300);

    const all = await until(
      () => api.get(`/v1/contacts?list_id=${list.body.data.id}`),
      (res) => res.status === 200 && res.body.data.length === members.length,
    );
    expect(ids(all)).toEqual([...members].sort());
    const vip = await api.get(`/v1/contacts?list_id=${list.body.data.id}&tag=vip`);
    expect(ids(vip)).toEqual([contacts[1], contacts[3]].sort());
    const first = await api.get(`/v1/contacts?list_id=${list.body.data.id}&limit=3`);
    expect(first.body.meta.has_more).toBe(true);
    const second = await api.get(first.body.links.next);
    expect([...ids(first), ...ids(second)]).toEqual([...members].sort());

    expect((await api.get(`/v1/contacts?list_id=${list.body.data.id}&sort=email`)).status).toBe(400);
    const other = (await createTenant(stack.gatewayUrl)).api;
    expect((await other.get(`/v1/contacts?list_id=${list.body.data.id}`)).status).toBe(404);
  });

  it('lists the members of a segment; an unknown one is 404', async () => {
    const vip = (await api.post('/v1/contacts', contactInput({ tags: ['gold'] }))).body.data.id;
    await api.post('/v1/contacts', contactInput());
    const segment = await api.post('/v1/segments', { name: 'Gold', rules: { tag: 'gold', op: 'has' } });
    expect(segment.status).toBe(201);
    const res = await until(
      () => api.get(`/v1/contacts?segment_id=${segment.body.data.id}`),
      (r) => r.status === 200 && r.body.data.length === 1,
    );
    expect(ids(res)).toEqual([vip]);
    expect((await api.get('/v1/contacts?segment_id=seg_01JD0000000000000000000000')).status).toBe(404);
    expect((await api.get('/v1/contacts?list_id=lst_01JD0000000000000000000000')).status).toBe(404);
  });
});
