/**
 * A hand-written check of a contact request (an import row's, a batch row's)
 * that accepts exactly what `CreateContactSchema` (libs/contracts) accepts,
 * with the same output, but without zod's per-row work (a context, issue
 * lists, a union tried member by member, a copy of every object): zod was
 * 11.6 % of the contacts process's busy time in an import (docs/performance.md,
 * session 9), and the batch endpoint ran it on each of its 1 000 rows.
 *
 * It only ever says "valid, and here is the parsed value" or "not sure": for
 * anything it does not accept the caller runs zod, so a bad row's error is
 * zod's, word for word. `contact-fast-check.spec.ts` checks it against zod on
 * generated and hostile input (a zod upgrade that changes a rule fails there).
 *
 * It parses in place: the object is the caller's own (built per row by
 * `rowRequest`, or parsed from the batch request's message), and once every field has passed its values are replaced by
 * their parsed forms (no second object per row); a row it does not accept is
 * left as it was, for zod.
 */
import { CreateContactSchema, type CreateContact } from '@sigil/contracts';

/** zod 3's `.email()` pattern (zod/v3/types `emailRegex`, unchanged since 3.22). */
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i;
const EXTERNAL_ID = /^\P{Cc}+$/u;
const PHONE_STRIP = /[\s\-.()]/g;
const PHONE = /^\+?[1-9]\d{6,14}$/;
const TAG = /^[\p{L}\p{N} _:.\-/]+$/u;
const SPACES = /\s+/g;

/** Keys `CreateContactSchema` (strict) allows that this check handles; anything else goes to zod. */
const HANDLED = new Set(['email', 'external_id', 'first_name', 'last_name', 'phone', 'tags', 'custom_fields']);

/**
 * The parsed request when `input` is valid; `undefined` when it may not be (the caller then runs
 * `CreateContactSchema.safeParse` for the error). `input` is modified: pass an object of your own.
 */
export function fastContact(input: Record<string, unknown>): CreateContact | undefined {
  for (const key in input) if (!HANDLED.has(key)) return undefined;

  // Nothing is written to `input` until every field has passed: zod must see the row as it was.
  const email = input['email'];
  if (typeof email !== 'string') return undefined;
  const e = email.trim();
  if (e.length > 254 || !EMAIL.test(e)) return undefined;

  let externalId: string | null | undefined;
  if ('external_id' in input) {
    const v = input['external_id'];
    if (typeof v === 'string') {
      externalId = v.trim();
      if (externalId.length < 1 || externalId.length > 255 || !EXTERNAL_ID.test(externalId)) return undefined;
    } else if (v === null) externalId = null;
    else return undefined;
  }
  const firstName = 'first_name' in input ? nameOf(input['first_name']) : undefined;
  if (firstName === false) return undefined;
  const lastName = 'last_name' in input ? nameOf(input['last_name']) : undefined;
  if (lastName === false) return undefined;
  let phone: string | null | undefined;
  if ('phone' in input) {
    const v = input['phone'];
    if (typeof v === 'string') {
      phone = v.trim().replace(PHONE_STRIP, '');
      if (!PHONE.test(phone)) return undefined;
    } else if (v === null) phone = null;
    else return undefined;
  }
  let tags: string[] | undefined;
  if ('tags' in input) {
    const given = input['tags'];
    if (!Array.isArray(given) || given.length > 100) return undefined;
    tags = new Array<string>(given.length);
    for (let i = 0; i < given.length; i++) {
      const tag: unknown = given[i];
      if (typeof tag !== 'string') return undefined;
      const t = tag.trim();
      if (t.length < 1 || t.length > 64 || !TAG.test(t)) return undefined;
      tags[i] = t;
    }
  }
  if ('custom_fields' in input && !customFieldsValid(input['custom_fields'])) return undefined;

  input['email'] = e.toLowerCase();
  if (externalId !== undefined) input['external_id'] = externalId;
  if (firstName !== undefined) input['first_name'] = firstName;
  if (lastName !== undefined) input['last_name'] = lastName;
  if (phone !== undefined) input['phone'] = phone;
  if (tags) input['tags'] = tags;
  return input as CreateContact;
}

/** `first_name` / `last_name`: at most 100 characters as given; trimmed, inner whitespace collapsed, '' → null; false: not valid. */
function nameOf(v: unknown): string | null | false {
  if (v === null) return null;
  if (typeof v !== 'string' || v.length > 100) return false;
  const t = v.trim().replace(SPACES, ' ');
  return t === '' ? null : t;
}

/** `CustomFieldValuesSchema`: a plain object of keys ≤ 64 characters; values text ≤ 10 000, finite numbers, booleans, ≤ 100 texts of ≤ 1 000, or null. */
function customFieldsValid(values: unknown): boolean {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return false;
  if (Object.getPrototypeOf(values) !== Object.prototype) return false;
  for (const key in values) {
    if (!Object.prototype.hasOwnProperty.call(values, key) || key.length > 64 || key === '__proto__') return false;
    const v: unknown = (values as Record<string, unknown>)[key];
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'string') {
      if (v.length > 10000) return false;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
    } else if (Array.isArray(v)) {
      if (v.length > 100) return false;
      for (const item of v as unknown[]) if (typeof item !== 'string' || item.length > 1000) return false;
    } else return false;
  }
  return true;
}

/**
 * A row's request as `CreateContactSchema.safeParse` gives it: the hand check for a plain object it accepts,
 * else zod, whose error the row then gets word for word. A plain object `input` may be modified (see `fastContact`).
 */
export function parseContact(input: unknown): ReturnType<typeof CreateContactSchema.safeParse> {
  if (typeof input === 'object' && input !== null && Object.getPrototypeOf(input) === Object.prototype) {
    const fast = fastContact(input as Record<string, unknown>);
    if (fast) return { success: true, data: fast };
  }
  return CreateContactSchema.safeParse(input);
}
