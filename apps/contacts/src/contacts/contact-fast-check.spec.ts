/** The hand check of a contact request (import and batch rows) against `CreateContactSchema`: never accepts what zod refuses, same output. */
import { CreateContactSchema } from '@sigil/contracts';
import { fastContact } from './contact-fast-check';

/** A small deterministic generator (the same cases on every run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const EMAILS = [
  'a@x.io',
  ' A.B+c@Example.COM ',
  'x@y',
  '.a@x.io',
  'a..b@x.io',
  "o'neil@x.io",
  'a@-x.io',
  'a@x.i',
  'a@x.123',
  `${'a'.repeat(250)}@x.io`,
  `${'a'.repeat(245)}@x.io`,
  'ü@x.io',
  'a@ü.io',
  '',
  ' ',
  'a@x.io\n',
  'a b@x.io',
  'a@x_y.io',
  'a_@x.io',
  "a'@x.io",
];
const TEXTS = [
  '',
  ' ',
  'Ada',
  '  Ada   Lovelace ',
  'a\u0000b',
  'tab\there',
  'x'.repeat(100),
  ` ${'x'.repeat(99)} `,
  'x'.repeat(101),
  '\u00a0nbsp\u00a0',
  'ünï',
  '\u2028',
];
const EXTERNAL_IDS = ['', ' ', 'crm-1', ' crm-1 ', 'a\u0007b', 'x'.repeat(255), 'x'.repeat(256), ` ${'x'.repeat(255)} `, 'Ünï Côde', '\u0085', 'a\nb'];
const PHONES = ['+14155550100', '+1 (415) 555-0100', '0123456', '1234567', '+1234567890123456', '415.555.0100', ' 4155550100 ', 'phone', '+0415555010', '1\u00a0234567'];
const TAGS = ['vip', ' vip ', '', ' ', 'a:b/c-d.e_f', 'x'.repeat(64), 'x'.repeat(65), 'bad!', 'ünï', 'emoji😀', 'tab\tx'];
const CUSTOM_VALUES: unknown[] = [
  'text',
  '',
  'x'.repeat(10000),
  'x'.repeat(10001),
  0,
  -1.5,
  1e308,
  Infinity,
  NaN,
  true,
  false,
  null,
  [],
  ['a', 'b'],
  Array.from({ length: 100 }, () => 'a'),
  Array.from({ length: 101 }, () => 'a'),
  ['x'.repeat(1001)],
  [1],
  { a: 1 },
  undefined,
];
const CUSTOM_KEYS = ['ltv', 'plan', 'k'.repeat(64), 'k'.repeat(65), 'interests'];

function pick<T>(r: () => number, values: readonly T[]): T {
  return values[Math.floor(r() * values.length)]!;
}

function randomInput(r: () => number): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (r() < 0.97) input['email'] = r() < 0.95 ? pick(r, EMAILS) : pick(r, [1, null, ['a@x.io']]);
  if (r() < 0.3) input['external_id'] = r() < 0.9 ? pick(r, EXTERNAL_IDS) : pick(r, [null, 5]);
  if (r() < 0.5) input['first_name'] = r() < 0.9 ? pick(r, TEXTS) : pick(r, [null, 3, true]);
  if (r() < 0.5) input['last_name'] = r() < 0.9 ? pick(r, TEXTS) : null;
  if (r() < 0.3) input['phone'] = r() < 0.9 ? pick(r, PHONES) : pick(r, [null, 4155550100]);
  if (r() < 0.4) {
    input['tags'] = r() < 0.9 ? Array.from({ length: Math.floor(r() * 4) }, () => pick(r, TAGS)) : pick(r, ['vip', Array.from({ length: 101 }, () => 'a'), [1]]);
  }
  if (r() < 0.5) {
    const custom: Record<string, unknown> = {};
    const n = Math.floor(r() * 3);
    for (let i = 0; i < n; i++) custom[pick(r, CUSTOM_KEYS)] = pick(r, CUSTOM_VALUES);
    input['custom_fields'] = r() < 0.95 ? custom : pick(r, [[], 'x', null]);
  }
  if (r() < 0.03) input[pick(r, ['subscription_status', 'unknown', 'id'])] = 'subscribed';
  return input;
}

describe('fastContact', () => {
  it('accepts only what CreateContactSchema accepts, with the same output, and leaves a refused row as it was', () => {
    const r = rng(16);
    let accepted = 0;
    let refusedByBoth = 0;
    const missed: unknown[] = [];
    for (let n = 0; n < 6000; n++) {
      const input = randomInput(r);
      const copy = structuredClone(input);
      const zod = CreateContactSchema.safeParse(structuredClone(input));
      const fast = fastContact(input);
      if (fast) {
        accepted++;
        expect({ n, ok: zod.success }).toEqual({ n, ok: true });
        expect(fast).toEqual(zod.data);
        // Custom field keys keep their order (newContact and applyUpdate follow it).
        expect(Object.keys(fast.custom_fields ?? {})).toEqual(Object.keys(zod.data!.custom_fields ?? {}));
      } else {
        // Not accepted: the caller runs zod on the row, which must be unchanged.
        expect(input).toEqual(copy);
        if (!zod.success) refusedByBoth++;
        // subscription_status is no import target (IMPORT_FIELDS): left to zod.
        else if (!('subscription_status' in copy)) missed.push(copy);
      }
    }
    // Both kinds of row are exercised, and the fast path is not simply refusing everything.
    expect(accepted).toBeGreaterThan(400);
    expect(refusedByBoth).toBeGreaterThan(400);
    // And it takes every row zod takes (then zod never runs for a good row).
    expect(missed).toEqual([]);
  });

  it('accepts the rows of a typical import (so zod does not run for them)', () => {
    const row = { email: 'Job.1@Example.com', first_name: 'Grace', last_name: 'Hopper', tags: ['imported', 'vip'], custom_fields: { ltv: 37, plan: 'pro' } };
    expect(fastContact({ ...row, tags: [...row.tags], custom_fields: { ...row.custom_fields } })).toEqual(CreateContactSchema.parse(row));
  });
});
