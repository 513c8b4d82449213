/** From file records to contact requests: mapping checks, type coercion and per-row problems. */
import { ImportOptionsSchema } from '@sigil/contracts';
import { RecordReader } from '@sigil/platform';
import type { Definitions, FieldDefinition } from '../custom-fields/custom-field-values';
import { coerce, mappingProblems, planRows, rowRequest } from './import-rows';

const defs: Definitions = new Map<string, FieldDefinition>([
  ['ltv', { key: 'ltv', label: 'LTV', type: 'number', options: null, required: false }],
  ['vip', { key: 'vip', label: 'VIP', type: 'boolean', options: null, required: false }],
  ['interests', { key: 'interests', label: 'I', type: 'multi_select', options: ['a', 'b'], required: false }],
]);

function records(text: string, format: 'csv' | 'ndjson' = 'csv') {
  const reader = new RecordReader({ format });
  return [...reader.push(Buffer.from(text)), ...reader.end()];
}

describe('import rows', () => {
  const options = ImportOptionsSchema.parse({
    format: 'csv',
    mapping: { Email: 'email', Name: 'first_name', LTV: 'custom_fields.ltv', VIP: 'custom_fields.vip', Tags: 'tags', I: 'custom_fields.interests' },
  });

  it('names unknown custom fields and columns missing from the header', () => {
    expect(mappingProblems(options, ['Email', 'Name', 'LTV', 'VIP', 'Tags', 'I'], defs)).toEqual([]);
    const bad = ImportOptionsSchema.parse({ format: 'csv', mapping: { Email: 'email', X: 'custom_fields.nope' } });
    expect(mappingProblems(bad, ['Email', 'Email'], defs).map((d) => d.field)).toEqual(['mapping.Email', 'mapping.X', 'mapping.X']);
    // Header cells are trimmed, and so is the mapped column when they are compared.
    const spaced = ImportOptionsSchema.parse({ format: 'csv', mapping: { ' Email ': 'email' } });
    expect(mappingProblems(spaced, ['Email'], defs)).toEqual([]);
    expect(planRows(spaced, ['Name', 'Email'], defs).columns[0]!.index).toBe(1);
  });

  it('options: email must be mapped, a field once, targets known', () => {
    const fields = (input: unknown) => (ImportOptionsSchema.safeParse(input).error?.issues ?? []).map((i) => i.path.join('.'));
    expect(fields({ format: 'csv', mapping: { A: 'first_name' } })).toEqual(['mapping']);
    expect(fields({ format: 'csv', mapping: { A: 'email', B: 'email' } })).toEqual(['mapping.B']);
    expect(fields({ format: 'csv', mapping: { A: 'email', B: 'password' } })).toEqual(['mapping.B']);
  });

  it('coerces text to the field type, leaving text that does not fit for validation to name', () => {
    expect(coerce('custom_fields.ltv', 'number', ' 12.50 ')).toBe(12.5);
    expect(coerce('custom_fields.ltv', 'number', '1e3')).toBe(1000);
    expect(coerce('custom_fields.ltv', 'number', '12abc')).toBe('12abc');
    expect(coerce('custom_fields.vip', 'boolean', 'Yes')).toBe(true);
    expect(coerce('custom_fields.vip', 'boolean', '0')).toBe(false);
    expect(coerce('custom_fields.interests', 'multi_select', 'a; b')).toEqual(['a', 'b']);
    expect(coerce('tags', undefined, 'x,y;z')).toEqual(['x', 'y', 'z']);
  });

  it('builds requests from CSV rows and names each problem', () => {
    const plan = planRows(options, ['Email', 'Name', 'LTV', 'VIP', 'Tags', 'I'], defs);
    const [good, empty, short, bad] = records('A@X.io,Ada,3,yes,t1;t2,a\nb@x.io,,,,,\nc@x.io,C\nnot-an-email,D,,,,\n');
    expect(rowRequest(plan, good!)).toEqual({
      req: { email: 'a@x.io', first_name: 'Ada', tags: ['t1', 't2'], custom_fields: { ltv: 3, vip: true, interests: ['a'] } },
    });
    expect(rowRequest(plan, empty!)).toEqual({ req: { email: 'b@x.io' } });
    expect(rowRequest(plan, short!)).toEqual({ code: 'malformed_row', reason: 'expected 6 columns, found 2' });
    expect(rowRequest(plan, bad!)).toMatchObject({ code: 'validation_failed', reason: expect.stringContaining('email') });
  });

  it('builds requests from NDJSON lines', () => {
    const nd = ImportOptionsSchema.parse({ format: 'ndjson', mapping: { e: 'email', ltv: 'custom_fields.ltv', tags: 'tags' } });
    const plan = planRows(nd, [], defs);
    const [good, notObject, notJson] = records('{"e":"x@y.io","ltv":"4","tags":["a"],"other":1}\n[1]\n{oops\n', 'ndjson');
    expect(rowRequest(plan, good!)).toEqual({ req: { email: 'x@y.io', tags: ['a'], custom_fields: { ltv: 4 } } });
    expect(rowRequest(plan, notObject!)).toMatchObject({ code: 'malformed_row' });
    expect(rowRequest(plan, notJson!)).toMatchObject({ code: 'malformed_row' });
  });
});
