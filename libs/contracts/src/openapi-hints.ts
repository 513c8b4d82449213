/**
 * What a zod schema enforces beyond what its JSON Schema conversion can see.
 * `zod-to-json-schema` reads types, lengths, regexes and enums, but not
 * refinements (`.refine`, `.superRefine`) or transforms: a rule written there
 * would make the OpenAPI document looser than the validation. Where a rule
 * lives in a refinement, the schema says it once more, in JSON Schema, with
 * `documented(schema, hint)`; the gateway's OpenAPI builder applies the hint
 * wherever that schema appears. The hint travels with the schema object
 * itself, so a route documents exactly the schema its service validates with.
 *
 * A hint is merged into the converted JSON Schema (an object), or rewrites it
 * (a function). Rules JSON Schema cannot state (an opaque cursor; a bound
 * relative to now) are relaxed or described instead, see docs/gateway.md.
 */
import type { ZodTypeAny } from 'zod';

export type JsonSchemaObject = Record<string, unknown>;
export type OpenApiHint = JsonSchemaObject | ((converted: JsonSchemaObject) => JsonSchemaObject);

/** No U+0000 anywhere (the gateway refuses it in every string: PostgreSQL stores it nowhere). */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
/** What `.trim().min(1)` accepts: something besides whitespace, and no U+0000. */
export const NON_BLANK_PATTERN = '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$';

/** Keyed by the zod definition object, which the converter hands to its post-processing step. */
const HINTS = new WeakMap<object, OpenApiHint>();

/** `schema`, unchanged, with its JSON Schema counterpart of what its refinements enforce. */
export function documented<T extends ZodTypeAny>(schema: T, hint: OpenApiHint): T {
  HINTS.set(schema._def as object, hint);
  return schema;
}

/** The hint registered for a zod definition, if any. */
export function openApiHintOf(def: unknown): OpenApiHint | undefined {
  return def && typeof def === 'object' ? HINTS.get(def) : undefined;
}

/** A rule between two fields' values, which JSON Schema cannot state. */
export type FieldRelation =
  /** `field`'s value is not an item of the array `list`. */
  | { kind: 'not-in'; field: string; list: string }
  /** The instant `field`, when sent, is later than the instant `than`. */
  | { kind: 'after'; field: string; than: string };

const RELATION_TEXT = {
  'not-in': (r: Extract<FieldRelation, { kind: 'not-in' }>) => `\`${r.field}\` may not be one of \`${r.list}\``,
  after: (r: Extract<FieldRelation, { kind: 'after' }>) => `\`${r.field}\` must be later than \`${r.than}\``,
};

/** Value relations between fields of a body, as `x-relations` (for tools) and in its description (for people). */
export function relations(...rules: FieldRelation[]): JsonSchemaObject {
  const text = rules.map((r) => (r.kind === 'not-in' ? RELATION_TEXT['not-in'](r) : RELATION_TEXT.after(r))).join('; ');
  return { 'x-relations': rules, description: `${text} (a 400).` };
}

/**
 * Cross-parameter rules of a query (OpenAPI parameters are described one by
 * one): the names of which at most one may be sent, carried to the operation
 * as `x-mutually-exclusive`.
 */
export function mutuallyExclusive(...groups: string[][]): JsonSchemaObject {
  return { 'x-mutually-exclusive': groups, not: { anyOf: groups.map((g) => ({ required: g })) } };
}
