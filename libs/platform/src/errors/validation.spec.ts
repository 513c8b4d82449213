import { z } from 'zod';
import { ValidationFailed } from './domain-errors';
import { issuesToDetails, parseOrThrow } from './validation';

const Schema = z
  .object({
    email: z.string().email(),
    tags: z.array(z.string()).optional(),
    a: z
      .object({ b: z.array(z.object({ c: z.number() }).strict()) })
      .strict()
      .optional(),
  })
  .strict();

function detailsOf(input: unknown, prefix?: (string | number)[]) {
  try {
    parseOrThrow(Schema, input, prefix);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailed);
    const body = (err as ValidationFailed).toBody();
    expect(body).toMatchObject({ status: 400, code: 'validation_failed', type: 'invalid_request_error' });
    return body.details ?? [];
  }
  throw new Error('expected ValidationFailed');
}

describe('parseOrThrow', () => {
  it('returns the parsed value when the input is valid', () => {
    expect(parseOrThrow(Schema, { email: 'ada@example.com', tags: ['vip'] })).toEqual({ email: 'ada@example.com', tags: ['vip'] });
  });

  it('names a wrong type with invalid_type and a bad value with invalid', () => {
    expect(detailsOf({ email: 42 })).toEqual([{ field: 'email', code: 'invalid_type', message: expect.any(String) }]);
    expect(detailsOf({ email: 'nope' })).toEqual([{ field: 'email', code: 'invalid', message: 'Invalid email' }]);
  });

  it('writes nested paths as a.b[2].c', () => {
    const details = detailsOf({ email: 'ada@example.com', a: { b: [{ c: 1 }, { c: 2 }, { c: 'three' }] } });
    expect(details).toEqual([{ field: 'a.b[2].c', code: 'invalid_type', message: expect.any(String) }]);
    expect(detailsOf({ email: 'ada@example.com', tags: ['ok', 7] })).toEqual([{ field: 'tags[1]', code: 'invalid_type', message: expect.any(String) }]);
  });

  it('reports unknown keys as unknown_field at their path', () => {
    expect(detailsOf({ email: 'ada@example.com', surprise: true })).toEqual([{ field: 'surprise', code: 'unknown_field', message: expect.stringContaining('surprise') }]);
    expect(detailsOf({ email: 'ada@example.com', a: { b: [{ c: 1, d: 2 }] } })).toEqual([{ field: 'a.b[0].d', code: 'unknown_field', message: expect.any(String) }]);
  });

  it('reports one detail per problem', () => {
    const fields = detailsOf({ email: 'nope', tags: 'vip', surprise: true })
      .map((d) => d.field)
      .sort();
    expect(fields).toEqual(['email', 'surprise', 'tags']);
  });

  it('calls a body that is not an object (body)', () => {
    expect(detailsOf('hello')).toEqual([{ field: '(body)', code: 'invalid_type', message: expect.any(String) }]);
    expect(detailsOf(undefined)).toEqual([{ field: '(body)', code: 'invalid_type', message: 'Required' }]);
  });

  it('puts a prefix in front of every path', () => {
    expect(detailsOf({ email: 'nope' }, ['contacts', 3])).toEqual([{ field: 'contacts[3].email', code: 'invalid', message: 'Invalid email' }]);
  });
});

describe('issuesToDetails', () => {
  it('gives one detail per unknown key when zod reports several in one issue', () => {
    const result = z.object({}).strict().safeParse({ x: 1, y: 2 });
    expect(result.success).toBe(false);
    const details = issuesToDetails(result.success ? [] : result.error.issues);
    expect(details.map((d) => [d.field, d.code])).toEqual([
      ['x', 'unknown_field'],
      ['y', 'unknown_field'],
    ]);
  });
});
