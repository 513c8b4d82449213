/**
 * Custom fields through the gateway: definitions, values validated on
 * contact writes, immutable keys, refused type changes, deletion, aggregates,
 * scopes and tenant isolation.
 */
import type { CustomFieldValue } from '@sigil/contracts';
import { ApiClient, contactInput, createTenant, TestStack, type TestTenant } from '@sigil/testing';

describe('custom fields API', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function tenantWithFields(): Promise<{ t: TestTenant; api: ApiClient }> {
    const t = await createTenant(stack.gatewayUrl);
    for (const field of [
      { key: 'ltv', label: 'Lifetime value', type: 'number' },
      { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
      { key: 'topics', label: 'Topics', type: 'multi_select', options: ['a', 'b', 'c'] },
    ]) {
      const res = await t.api.post('/v1/custom-fields', field);
      expect(res.status).toBe(201);
    }
    return { t, api: t.api };
  }

  it('creates, lists, reads and relabels definitions; the key is immutable', async () => {
    const { api } = await tenantWithFields();
    const list = await api.get('/v1/custom-fields');
    expect(list.body.data.map((f: { key: string }) => f.key)).toEqual(['ltv', 'plan', 'topics']);
    expect(list.body.meta).toMatchObject({ has_more: false });
    const plan = await api.get('/v1/custom-fields/plan');
    expect(plan.body.data).toMatchObject({ key: 'plan', type: 'select', options: ['free', 'pro'], required: false });
    const relabel = await api.patch('/v1/custom-fields/plan', { label: 'Subscription', options: ['free', 'pro', 'team'] });
    expect(relabel.status).toBe(200);
    expect(relabel.body.data).toMatchObject({ label: 'Subscription', options: ['free', 'pro', 'team'] });
    const rekey = await api.patch('/v1/custom-fields/plan', { key: 'tier' });
    expect(rekey.status).toBe(400);
    expect(rekey.body.error.details).toEqual([expect.objectContaining({ field: 'key', code: 'immutable' })]);
    expect((await api.post('/v1/custom-fields', { key: 'plan', label: 'x', type: 'text' })).status).toBe(409);
    const invalid = await api.post('/v1/custom-fields', { key: 'Bad Key', label: '', type: 'colour', extra: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['extra', 'key', 'label', 'type']);
    expect((await api.post('/v1/custom-fields', { key: 'tier', label: 'Tier', type: 'select' })).status).toBe(400);
    expect((await api.get('/v1/custom-fields/nope')).status).toBe(404);
  });

  it('validates values on every contact write, naming custom_fields.<key>', async () => {
    const { api } = await tenantWithFields();
    const bad = await api.post('/v1/contacts', contactInput({ custom_fields: { ltv: 'a lot', plan: 'gold', unknown: 1 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['custom_fields.ltv', 'custom_fields.plan', 'custom_fields.unknown']);
    const ok = await api.post('/v1/contacts', contactInput({ custom_fields: { ltv: 12.5, topics: ['a', 'c'] } }));
    expect(ok.status).toBe(201);
    const patch = await api.patch(`/v1/contacts/${ok.body.data.id}`, { custom_fields: { topics: ['z'] } });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details[0].field).toBe('custom_fields.topics');
    const batch = await api.post('/v1/contacts/batch', { contacts: [contactInput({ custom_fields: { ltv: true } })] });
    expect(batch.body.data.results[0].error.details[0].field).toBe('custom_fields.ltv');
  });

  it('answers a write without a required field 422 custom_field_required in the error envelope (400 beside another error)', async () => {
    const { api } = await tenantWithFields();
    expect((await api.post('/v1/custom-fields', { key: 'tier', label: 'Tier', type: 'text', required: true })).status).toBe(201);
    const create = await api.post('/v1/contacts', contactInput());
    expect(create.status).toBe(422);
    expect(create.body.error).toMatchObject({
      status: 422,
      code: 'custom_field_required',
      type: 'invalid_request_error',
      request_id: expect.stringMatching(/^req_/),
      details: [{ field: 'custom_fields.tier', code: 'required', message: expect.any(String) }],
    });
    const upsert = await api.put('/v1/contacts/by-external-id/crm-1', contactInput());
    expect(upsert.status).toBe(422);
    expect(upsert.body.error.code).toBe('custom_field_required');
    const mixed = await api.post('/v1/contacts', contactInput({ custom_fields: { ltv: 'a lot' } }));
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.details.map((d: { field: string; code: string }) => `${d.field}:${d.code}`).sort()).toEqual([
      'custom_fields.ltv:invalid',
      'custom_fields.tier:required',
    ]);
    const ok = await api.post('/v1/contacts', contactInput({ custom_fields: { tier: 'gold' } }));
    expect(ok.status).toBe(201);
    const cleared = await api.patch(`/v1/contacts/${ok.body.data.id}`, { custom_fields: { tier: null } });
    expect(cleared.status).toBe(422);
    expect(cleared.body.error.code).toBe('custom_field_required');
    // Made optional again, the same create goes through.
    expect((await api.patch('/v1/custom-fields/tier', { required: false })).status).toBe(200);
    expect((await api.post('/v1/contacts', contactInput())).status).toBe(201);
  });

  it('refuses a type change while values exist; deleting a definition removes its values', async () => {
    const { api } = await tenantWithFields();
    const c = await api.post('/v1/contacts', contactInput({ custom_fields: { ltv: 3, plan: 'pro' } }));
    const change = await api.patch('/v1/custom-fields/ltv', { type: 'text' });
    expect(change.status).toBe(409);
    expect(change.body.error.code).toBe('conflict');
    expect((await api.patch('/v1/custom-fields/plan', { options: ['free'] })).status).toBe(409);
    expect((await api.delete('/v1/custom-fields/ltv')).status).toBe(204);
    expect((await api.get(`/v1/contacts/${c.body.data.id}`)).body.data.custom_fields).toEqual({ plan: 'pro' });
    expect((await api.get('/v1/custom-fields/ltv')).status).toBe(404);
    expect((await api.post('/v1/custom-fields', { key: 'ltv', label: 'LTV', type: 'text' })).status).toBe(201);
  });

  it('aggregates a field in SQL', async () => {
    const { api } = await tenantWithFields();
    const rows: Record<string, CustomFieldValue>[] = [
      { ltv: 10, plan: 'pro', topics: ['a', 'b'] },
      { ltv: 20, plan: 'pro', topics: ['a'] },
      { ltv: 60, plan: 'free' },
      {},
    ];
    const res = await api.post('/v1/contacts/batch', { contacts: rows.map((custom_fields) => contactInput({ custom_fields })) });
    expect(res.body.data.created).toBe(4);
    const ltv = await api.get('/v1/custom-fields/ltv/aggregate');
    expect(ltv.status).toBe(200);
    expect(ltv.body.data).toEqual({ key: 'ltv', type: 'number', count: 3, distinct: 3, min: 10, max: 60, avg: 30, sum: 90, top_values: [] });
    const plan = await api.get('/v1/custom-fields/plan/aggregate');
    expect(plan.body.data).toMatchObject({
      count: 3,
      distinct: 2,
      top_values: [
        { value: 'pro', count: 2 },
        { value: 'free', count: 1 },
      ],
    });
    const topics = await api.get('/v1/custom-fields/topics/aggregate?top=1');
    expect(topics.body.data).toMatchObject({ count: 2, distinct: 2, top_values: [{ value: 'a', count: 2 }] });
    expect((await api.get('/v1/custom-fields/topics/aggregate?top=0')).status).toBe(400);
    expect((await api.get('/v1/custom-fields/nope/aggregate')).status).toBe(404);
  });

  it('keeps definitions per tenant and mode, and checks scopes', async () => {
    const { t, api } = await tenantWithFields();
    const other = (await createTenant(stack.gatewayUrl)).api;
    expect((await other.get('/v1/custom-fields/ltv')).status).toBe(404);
    expect((await other.get('/v1/custom-fields/ltv/aggregate')).status).toBe(404);
    expect((await other.patch('/v1/custom-fields/ltv', { label: 'x' })).status).toBe(404);
    expect((await other.delete('/v1/custom-fields/ltv')).status).toBe(404);
    const testMode = await t.client({ mode: 'test' });
    expect((await testMode.get('/v1/custom-fields')).body.data).toEqual([]);
    const reader = await t.client({ scopes: ['contacts:read'] });
    expect((await reader.get('/v1/custom-fields/ltv/aggregate')).status).toBe(200);
    for (const res of await Promise.all([
      reader.post('/v1/custom-fields', { key: 'x', label: 'X', type: 'text' }),
      reader.patch('/v1/custom-fields/ltv', { label: 'x' }),
      reader.delete('/v1/custom-fields/ltv'),
    ])) {
      expect([res.status, res.body.error.code]).toEqual([403, 'insufficient_scope']);
    }
    expect((await api.get('/v1/custom-fields/ltv')).status).toBe(200);
  });
});
