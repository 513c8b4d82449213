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

/** A rule between values of a body, which JSON Schema cannot state. */
export type FieldRelation =
  /** `field`'s value is not an item of the array `list`. */
  | { kind: 'not-in'; field: string; list: string }
  /** The instant `field`, when sent, is later than the instant `than`. */
  | { kind: 'after'; field: string; than: string }
  /** The object `field` maps no two keys to the same value. */
  | { kind: 'distinct-values'; field: string }
  /** The keys of the object `field` differ other than by case (HTTP header names). */
  | { kind: 'distinct-keys-ignoring-case'; field: string }
  /** The CSV header of the file part `field` names every key of the object `keys_of` (a path into the form, `options.mapping`), when the part `format_of` says `csv`. */
  | { kind: 'csv-header-names'; field: string; keys_of: string; format_of: string }
  /** `field`, when sent and not null, equals the path parameter `parameter`. */
  | { kind: 'equals-path'; field: string; parameter: string }
  /** `field` is sent in the query or in the body (the same value if in both), not in neither. */
  | { kind: 'query-or-body'; field: string }
  /**
   * The instant `field`, when sent, is at most `seconds` later than the server's clock when the request
   * arrives: a bound relative to now, which no schema can state (JSON Schema has no "now").
   */
  | { kind: 'not-later-than-now-plus'; field: string; seconds: number };

/** `86400` → `24 h`, `90` → `90 s`: a bound as people read it. */
function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`;
}

const RELATION_TEXT: { [K in FieldRelation['kind']]: (r: Extract<FieldRelation, { kind: K }>) => string } = {
  'not-in': (r) => `\`${r.field}\` may not be one of \`${r.list}\``,
  after: (r) => `\`${r.field}\` must be later than \`${r.than}\``,
  'distinct-values': (r) => `no two keys of \`${r.field}\` may have the same value`,
  'distinct-keys-ignoring-case': (r) => `the keys of \`${r.field}\` must differ other than by case`,
  'csv-header-names': (r) => `a CSV \`${r.field}\`'s header names every key of \`${r.keys_of}\``,
  'equals-path': (r) => `\`${r.field}\`, when sent and not null, must be the path's \`${r.parameter}\``,
  'query-or-body': (r) => `\`${r.field}\` must be sent in the query or in the body (the same value if in both)`,
  'not-later-than-now-plus': (r) => `\`${r.field}\`, when sent, may be at most ${duration(r.seconds)} later than the server's clock`,
};

function relationText(r: FieldRelation): string {
  return (RELATION_TEXT[r.kind] as (r: FieldRelation) => string)(r);
}

/** Value relations between fields of a body, as `x-relations` (for tools) and in its description (for people). */
export function relations(...rules: FieldRelation[]): JsonSchemaObject {
  return { 'x-relations': rules, description: `${rules.map(relationText).join('; ')} (a 400).` };
}

/**
 * Cross-parameter rules of a query (OpenAPI parameters are described one by
 * one): the names of which at most one may be sent, carried to the operation
 * as `x-mutually-exclusive`.
 */
export function mutuallyExclusive(...groups: string[][]): JsonSchemaObject {
  return { 'x-mutually-exclusive': groups, not: { anyOf: groups.map((g) => ({ required: g })) } };
}

/** Names of schemas documented as components, keyed like the hints. */
const NAMES = new WeakMap<object, string>();

/**
 * `schema`, unchanged, documented as `#/components/schemas/<name>` wherever
 * it appears in a response: the document says once what a `Contact` is, and
 * SDK generators name their types after it (`Contact`, not
 * `CreateContactResponse201Data`).
 */
export function named<T extends ZodTypeAny>(name: string, schema: T): T {
  NAMES.set(schema._def as object, name);
  return schema;
}

/** The component name registered for a zod definition, if any. */
export function openApiNameOf(def: unknown): string | undefined {
  return def && typeof def === 'object' ? NAMES.get(def) : undefined;
}
