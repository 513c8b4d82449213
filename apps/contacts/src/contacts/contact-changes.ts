/**
 * How a contact changes, without I/O: a new contact from a create request, a
 * partial update, tags added or removed. Each yields the next snapshot (with
 * `version` + 1) and what changed, or no snapshot when nothing did.
 */
import {
  SUBSCRIPTION_STRICTNESS,
  type ContactSnapshot,
  type CreateContact,
  type CustomFieldValue,
  type ErrorDetail,
  type SubscriptionStatus,
  type UpdateContact,
} from '@sigil/contracts';
import { newId } from '@sigil/platform';
import { checkCustomFieldValues, type Definitions } from '../custom-fields/custom-field-values';

export interface NewContactResult {
  contact: ContactSnapshot;
  details: ErrorDetail[];
}

export function newContact(input: CreateContact, defs: Definitions, now: Date): NewContactResult {
  const checked = checkCustomFieldValues(input.custom_fields ?? {}, defs, 'create');
  const customFields = withoutNulls(checked.values);
  const at = now.toISOString();
  return {
    details: checked.details,
    contact: {
      // The id embeds the creation millisecond, so ordering by id is ordering by created_at.
      id: newId('con', now.getTime()),
      external_id: input.external_id ?? null,
      email: input.email,
      first_name: input.first_name ?? null,
      last_name: input.last_name ?? null,
      phone: input.phone ?? null,
      tags: unique(input.tags ?? []),
      custom_fields: customFields,
      subscription_status: input.subscription_status ?? 'subscribed',
      // Known only from the tenant's suppressions: the service sets it before anything is written.
      suppressed: false,
      version: 1,
      created_at: at,
      updated_at: at,
    },
  };
}

export interface ChangeResult {
  /** Null when nothing changed. */
  next: ContactSnapshot | null;
  changed: string[];
  details: ErrorDetail[];
}

export function applyUpdate(current: ContactSnapshot, changes: UpdateContact, defs: Definitions, now: Date): ChangeResult {
  const next: ContactSnapshot = { ...current, tags: [...current.tags], custom_fields: { ...current.custom_fields } };
  const changed: string[] = [];
  for (const field of ['email', 'external_id', 'first_name', 'last_name', 'phone', 'subscription_status'] as const) {
    const value = changes[field];
    if (value === undefined || value === current[field]) continue;
    (next as unknown as Record<string, string | null>)[field] = value;
    changed.push(field);
  }
  if (changes.tags !== undefined) {
    const tags = unique(changes.tags);
    if (!sameSet(tags, current.tags)) {
      next.tags = tags;
      changed.push('tags');
    }
  }
  let details: ErrorDetail[] = [];
  if (changes.custom_fields !== undefined) {
    const checked = checkCustomFieldValues(changes.custom_fields, defs, 'update');
    details = checked.details;
    for (const [key, value] of Object.entries(checked.values)) {
      const before = current.custom_fields[key];
      if (value === null) {
        if (before === undefined) continue;
        delete next.custom_fields[key];
      } else {
        if (before !== undefined && JSON.stringify(before) === JSON.stringify(value)) continue;
        next.custom_fields[key] = value;
      }
      changed.push(`custom_fields.${key}`);
    }
  }
  if (details.length || !changed.length) return { next: null, changed: [], details };
  return { next: bump(next, now), changed, details };
}

export interface TagsResult {
  next: ContactSnapshot | null;
  added: string[];
  removed: string[];
}

export function applyTags(current: ContactSnapshot, tags: string[], op: 'add' | 'remove', now: Date): TagsResult {
  const have = new Set(current.tags);
  const wanted = unique(tags);
  if (op === 'add') {
    const added = wanted.filter((t) => !have.has(t));
    return { next: added.length ? bump({ ...current, tags: [...current.tags, ...added] }, now) : null, added, removed: [] };
  }
  const drop = new Set(wanted.filter((t) => have.has(t)));
  return {
    next: drop.size ? bump({ ...current, tags: current.tags.filter((t) => !drop.has(t)) }, now) : null,
    added: [],
    removed: [...drop],
  };
}

export interface MergeResult {
  /** Always a new version: consumers must see the merge even when no field was filled. */
  next: ContactSnapshot;
  changed: string[];
}

/**
 * The primary after absorbing its duplicates (taken in the order given): its
 * empty fields filled from the first duplicate that has one, tags united,
 * custom field values it lacks copied. Its own values always win; the email
 * stays the primary's. The subscription status is the strictest of all of
 * theirs (SUBSCRIPTION_STRICTNESS): one of the people behind the duplicates
 * unsubscribed or complained, and a merge must not make them mailable again.
 */
export function mergeContacts(primary: ContactSnapshot, duplicates: ContactSnapshot[], now: Date): MergeResult {
  const next: ContactSnapshot = { ...primary, tags: [...primary.tags], custom_fields: { ...primary.custom_fields } };
  const changed: string[] = [];
  for (const field of ['external_id', 'first_name', 'last_name', 'phone'] as const) {
    if (next[field] !== null) continue;
    const donor = duplicates.find((d) => d[field] !== null);
    if (!donor) continue;
    next[field] = donor[field];
    changed.push(field);
  }
  const tags = unique([...primary.tags, ...duplicates.flatMap((d) => d.tags)]);
  if (tags.length !== primary.tags.length) {
    next.tags = tags;
    changed.push('tags');
  }
  const status = strictest([primary, ...duplicates].map((c) => c.subscription_status));
  if (status !== primary.subscription_status) {
    next.subscription_status = status;
    changed.push('subscription_status');
  }
  for (const duplicate of duplicates) {
    for (const [key, value] of Object.entries(duplicate.custom_fields)) {
      if (value === null || key in next.custom_fields) continue;
      next.custom_fields[key] = value;
      changed.push(`custom_fields.${key}`);
    }
  }
  return { next: bump(next, now), changed };
}

/** The strictest of these statuses (see SUBSCRIPTION_STRICTNESS). */
export function strictest(statuses: SubscriptionStatus[]): SubscriptionStatus {
  return statuses.reduce((a, b) => (SUBSCRIPTION_STRICTNESS.indexOf(b) > SUBSCRIPTION_STRICTNESS.indexOf(a) ? b : a));
}

function bump(contact: ContactSnapshot, now: Date): ContactSnapshot {
  return { ...contact, version: contact.version + 1, updated_at: now.toISOString() };
}

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function sameSet(a: string[], b: string[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((x) => set.has(x));
}

/** `values` (a fresh object of checkCustomFieldValues) without its nulls; itself when it has none (every imported row). */
function withoutNulls(values: Record<string, CustomFieldValue>): Record<string, CustomFieldValue> {
  for (const key in values) if (values[key] === null) return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
  return values;
}
