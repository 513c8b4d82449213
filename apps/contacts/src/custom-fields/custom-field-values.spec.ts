import type { CustomFieldValue } from '@sigil/contracts';
import { checkCustomFieldValues, customFieldsRefusal, normaliseDate, valueRows, type FieldDefinition } from './custom-field-values';

const defs = new Map<string, FieldDefinition>(
  (
    [
      { key: 'bio', type: 'text' },
      { key: 'ltv', type: 'number' },
      { key: 'vip', type: 'boolean' },
      { key: 'born', type: 'date' },
      { key: 'plan', type: 'select', options: ['free', 'pro'], required: true },
      { key: 'likes', type: 'multi_select', options: ['a', 'b'] },
    ] as const
  ).map((d) => [d.key, { label: d.key, options: null, required: false, ...d } as FieldDefinition]),
);

const fields = (input: Record<string, CustomFieldValue>, mode: 'create' | 'update' = 'update') =>
  checkCustomFieldValues(input, defs, mode).details.map((d) => `${d.field}:${d.code}`);

describe('custom field values', () => {
  it('accepts and normalises a value of each type', () => {
    const { values, details } = checkCustomFieldValues(
      { bio: 'hi', ltv: 1.5, vip: false, born: '1990-02-03T04:05:06+01:00', plan: 'pro', likes: ['b', 'a', 'b'] },
      defs,
      'create',
    );
    expect(details).toEqual([]);
    expect(values).toEqual({ bio: 'hi', ltv: 1.5, vip: false, born: '1990-02-03T03:05:06.000Z', plan: 'pro', likes: ['b', 'a'] });
  });

  it('names custom_fields.<key> for wrong types, unknown keys and options', () => {
    expect(fields({ bio: 3, ltv: '3', vip: 'yes', born: 'yesterday', plan: 'gold', likes: ['c'], nope: 1 })).toEqual([
      'custom_fields.bio:invalid',
      'custom_fields.ltv:invalid',
      'custom_fields.vip:invalid',
      'custom_fields.born:invalid',
      'custom_fields.plan:invalid',
      'custom_fields.likes:invalid',
      'custom_fields.nope:unknown_field',
    ]);
  });

  it('requires required fields on create and refuses clearing them on update', () => {
    expect(fields({}, 'create')).toEqual(['custom_fields.plan:required']);
    expect(fields({}, 'update')).toEqual([]);
    expect(fields({ plan: null })).toEqual(['custom_fields.plan:required']);
    expect(checkCustomFieldValues({ bio: null }, defs, 'update').values).toEqual({ bio: null });
  });

  it('answers a required field left out or cleared 422 custom_field_required, anything else with it 400 validation_failed', () => {
    const missing = customFieldsRefusal(checkCustomFieldValues({ bio: 'hi' }, defs, 'create').details);
    expect(missing.code).toBe('custom_field_required');
    expect(missing.error.toBody()).toMatchObject({
      status: 422,
      code: 'custom_field_required',
      type: 'invalid_request_error',
      details: [{ field: 'custom_fields.plan', code: 'required', message: expect.any(String) }],
    });
    expect(missing.error.message).toContain("'plan'");
    expect(customFieldsRefusal(checkCustomFieldValues({ plan: null }, defs, 'update').details).error.status).toBe(422);
    // One answer names every problem: an unknown key beside the missing field makes it a 400 with both.
    const mixed = customFieldsRefusal(checkCustomFieldValues({ nope: 1 }, defs, 'create').details);
    expect(mixed.code).toBe('validation_failed');
    expect(mixed.error.toBody()).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(mixed.error.details!.map((d) => `${d.field}:${d.code}`)).toEqual(['custom_fields.nope:unknown_field', 'custom_fields.plan:required']);
  });

  it('keeps real dates only', () => {
    expect(normaliseDate('2024-02-29')).toBe('2024-02-29');
    expect(normaliseDate('2023-02-29')).toBeNull();
    expect(normaliseDate('2024-13-01')).toBeNull();
    expect(normaliseDate('2024-01-01T00:00:00')).toBeNull(); // no zone: ambiguous
    expect(normaliseDate('2024-01-01T10:00Z')).toBe('2024-01-01T10:00:00.000Z');
  });

  it('turns values into typed rows, one per multi_select option plus a marker counting them', () => {
    expect(valueRows('con_1', { ltv: 2, vip: true, born: '2000-01-01', likes: ['a', 'b'], bio: 'x' }, defs)).toEqual([
      { contact_id: 'con_1', field_key: 'ltv', value_text: null, value_num: 2, value_date: null },
      { contact_id: 'con_1', field_key: 'vip', value_text: 'true', value_num: null, value_date: null },
      { contact_id: 'con_1', field_key: 'born', value_text: null, value_num: null, value_date: '2000-01-01T00:00:00.000Z' },
      { contact_id: 'con_1', field_key: 'likes', value_text: null, value_num: 2, value_date: null },
      { contact_id: 'con_1', field_key: 'likes', value_text: 'a', value_num: null, value_date: null },
      { contact_id: 'con_1', field_key: 'likes', value_text: 'b', value_num: null, value_date: null },
      { contact_id: 'con_1', field_key: 'bio', value_text: 'x', value_num: null, value_date: null },
    ]);
  });
});
