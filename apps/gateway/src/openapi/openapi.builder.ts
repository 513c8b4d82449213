/**
 * Builds the OpenAPI 3.1 document from the code: every route the gateway
 * serves (method, path, scope), its request schemas (the zod schemas of
 * libs/contracts, converted to JSON Schema), the envelopes, every error
 * response and the rate-limit headers.
 */
import type { Type } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { ZodTypeAny } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import {
  ErrorCodes,
  NO_NUL_PATTERN as NO_NUL,
  NON_BLANK_PATTERN,
  openApiHintOf,
  openApiNameOf,
  relations as relationsOf,
  SCOPES,
  type RpcDefinition,
} from '@sigil/contracts';
import { API_DOC, type ApiDocOptions } from './api-doc.decorator';
import { KEY_PATTERN } from '../idempotency/idempotency.store';
import { routeCatalog, type CatalogRoute } from './route-catalog';

type JsonObject = Record<string, unknown>;

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window (and day).', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window frees a request.', schema: { type: 'integer' } },
  RateLimit: {
    description: 'IETF RateLimit field for the window closest to exhaustion: `"minute";r=<remaining>;t=<reset>` (`"day"` once the day binds).',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'IETF RateLimit-Policy field: `"minute";q=<limit>;w=60, "day";q=<limit>;w=86400` (per-IP limits: `"minute"` or `"hour"`).',
    schema: { type: 'string' },
  },
  'X-Request-Id': { description: 'The request id (yours if you sent a valid one).', schema: { type: 'string' } },
};

const ERRORS: Record<string, string> = {
  '400': 'Invalid request: `validation_failed` (with per-field `details`) or `invalid_json`.',
  '401': 'Not authenticated: `missing_api_key`, `invalid_api_key`, `expired_api_key`, `revoked_api_key` or `invalid_token`.',
  '403':
    'Authenticated but not allowed: `insufficient_scope` (names `required_scope`), `ip_not_allowed` (the key’s `allowed_cidrs` exclude the client) or `plan_limit_exceeded`.',
  '404': "No such resource for this tenant and mode (`not_found`), including other tenants' ids.",
  '409': 'Conflict (`conflict`), or an Idempotency-Key still in flight (`idempotency_key_in_flight`).',
  '405': 'Method not declared for this path (`method_not_allowed`); `Allow` names the methods it takes.',
  '413': 'Body over 1 MiB or batch over its row limit (`payload_too_large`).',
  '415': 'Body is not JSON (`unsupported_media_type`).',
  '422':
    'Idempotency-Key reused with a different request (`idempotency_key_reuse`); on contact writes, a custom field the tenant made required left out or cleared (`custom_field_required`, with per-field `details`; see `x-definition-errors`).',
  '429': 'Rate limit exceeded (`rate_limit_exceeded`); see `Retry-After`.',
  '500': 'Internal error (`internal_error`); never carries internals.',
  '503': 'Rate limiter unavailable (`rate_limiter_unavailable`).',
  '504': 'A service did not answer in time (`upstream_timeout`).',
};

/**
 * Errors that depend on what the tenant defined, which no schema of the
 * document can state: a body whose `custom_fields` come from
 * `/v1/custom-fields` (`x-defined-by`) is refused 422 `custom_field_required`
 * when it leaves out (or clears) a field the tenant made required, although
 * the schema says `custom_fields` are optional. Stated on each such
 * operation as `x-definition-errors`, for tools (the fuzz) and people.
 */
const CUSTOM_FIELD_REQUIRED = {
  status: 422,
  code: 'custom_field_required',
  'defined-by': '/v1/custom-fields',
  description: 'A custom field defined with `required: true` is left out on create (or set to `null`); `details` names each (`custom_fields.<key>`, code `required`).',
};

function definitionErrors(body: JsonObject): JsonObject[] | undefined {
  const customFields = (body['properties'] as Record<string, JsonObject> | undefined)?.['custom_fields'];
  return customFields?.['x-defined-by'] === '/v1/custom-fields' ? [CUSTOM_FIELD_REQUIRED] : undefined;
}

/** Public routes that take a credential in their body (accepting an invitation as an existing user takes their password). */
const CREDENTIAL_ROUTES = new Set(['/v1/auth/login', '/v1/auth/refresh', '/v1/members/invitations/accept']);

/**
 * Where a creation's id is read from and which collection it belongs to,
 * when that is not the creating path itself (a test delivery is a delivery,
 * a recovery started by `…/recover` is read at `…/recoveries/{recovery_id}`).
 */
const CREATES_INTO: Record<string, string> = {
  '/v1/webhooks/{id}/test': '/v1/webhooks/{id}/deliveries',
  '/v1/webhooks/{id}/recover': '/v1/webhooks/{id}/recoveries',
};

/** The properties of a reply's `data` object (or of a list's items), following `$ref`s into the named reply schemas. */
function dataProperties(response: JsonObject, components: Record<string, JsonObject>): { list: boolean; properties: string[] } | undefined {
  const resolve = (schema: JsonObject | undefined): JsonObject | undefined => {
    const ref = schema?.['$ref'];
    return typeof ref === 'string' ? components[ref.replace('#/components/schemas/', '')] : schema;
  };
  const content = (response['content'] as Record<string, JsonObject> | undefined)?.['application/json'];
  const data = resolve(((content?.['schema'] as JsonObject | undefined)?.['properties'] as Record<string, JsonObject> | undefined)?.['data']);
  if (!data) return undefined;
  const list = data['type'] === 'array';
  const item = list ? resolve(data['items'] as JsonObject | undefined) : data;
  return { list, properties: Object.keys((item?.['properties'] as JsonObject | undefined) ?? {}) };
}

/**
 * OpenAPI links, so that clients and stateful fuzzers can chain operations:
 * - from each create operation (a 201, or the 202 of a job that exists at
 *   once) to every operation whose path continues its collection with the new
 *   id: `POST /v1/contacts` → `GET /v1/contacts/{id}`, etc.;
 * - from each list (a GET answering an array) to the same operations, with
 *   its first item's id: `GET /v1/webhooks/{id}/deliveries` →
 *   `POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry`, for what the
 *   tenant already has (a delivery of an event, not only a test's).
 * The id is the item's property named like the path parameter (`key`,
 * `user_id`), else its `id`. A link is made only when it supplies every path
 * parameter of its target (the source's own, carried over, and the id): one
 * left to the client's invention would only lead to a 404.
 */
function addLinks(paths: Record<string, Record<string, JsonObject>>, components: Record<string, JsonObject>): void {
  for (const [path, operations] of Object.entries(paths)) {
    const created = ((operations['post']?.['responses'] as Record<string, JsonObject> | undefined) ?? {}) as Record<string, JsonObject>;
    const listed = (operations['get']?.['responses'] as Record<string, JsonObject> | undefined)?.['200'];
    const sources: [response: JsonObject | undefined, collection: string, expression: (field: string) => string, list: boolean][] = [
      // 201 creates the resource; 202 accepts a job (an import, a recovery) that is created at once and runs later.
      [created['201'] ?? created['202'], CREATES_INTO[path] ?? path, (field) => `$response.body#/data/${field}`, false],
      [listed, path, (field) => `$response.body#/data/0/${field}`, true],
    ];
    for (const [response, collection, expression, list] of sources) {
      const data = response && dataProperties(response, components);
      if (!response || !data || data.list !== list) continue;
      const links: Record<string, JsonObject> = {};
      for (const [target, targetOps] of Object.entries(paths)) {
        const m = target.slice(collection.length).match(/^\/\{(\w+)\}/);
        if (!target.startsWith(collection) || !m) continue;
        const idParam = m[1]!;
        const field = data.properties.includes(idParam) ? idParam : 'id';
        if (!data.properties.includes(field)) continue;
        const parameters: Record<string, string> = { [idParam]: expression(field) };
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) parameters[name!] = `$request.path.${name}`;
        const unsupplied = [...target.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!).filter((name) => !(name in parameters));
        if (unsupplied.length) continue;
        for (const op of Object.values(targetOps)) {
          // `contacts_addTags` → `AddTags`: unique, since a path's operations share one controller.
          const name = String(op['operationId'])
            .replace(/^\w+?_/, '')
            .replace(/^./, (c) => c.toUpperCase());
          const what = list ? "the list's first item" : 'the created resource';
          links[name] = { operationId: op['operationId'], parameters, description: `The ${field} of ${what} as \`${idParam}\`.` };
        }
      }
      if (Object.keys(links).length) response['links'] = { ...((response['links'] as JsonObject | undefined) ?? {}), ...links };
    }
  }
}

/**
 * Links from a resource to the actions on it: from the 200 of each read of
 * one resource (`GET /v1/contacts/{id}`, `GET /v1/webhooks/{id}/deliveries/{delivery_id}`)
 * to every write whose path continues the resource's own (`POST
 * /v1/contacts/{id}/tags`, `POST …/deliveries/{delivery_id}/retry`), with the
 * path parameters the read was made with. A client reads a resource, then
 * acts on it: a delivery is retried once its read shows it settled, a contact
 * tagged after it was read (issue 14: the stateful fuzz reached neither
 * through the create and list links alone). The resource's own writes
 * (`PATCH`/`DELETE` of the same path) are left out: the links from its create
 * and its list lead there already.
 */
function addItemLinks(paths: Record<string, Record<string, JsonObject>>): void {
  for (const [path, operations] of Object.entries(paths)) {
    const read = (operations['get']?.['responses'] as Record<string, JsonObject> | undefined)?.['200'];
    if (!read || !/\/\{\w+\}$/.test(path)) continue;
    const names = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
    const parameters = Object.fromEntries(names.map((name) => [name, `$request.path.${name}`]));
    const links: Record<string, JsonObject> = {};
    for (const [target, targetOps] of Object.entries(paths)) {
      if (!target.startsWith(`${path}/`)) continue;
      // Only a target whose every path parameter the read supplies (no `{…}` beyond the read's path).
      if (/\{\w+\}/.test(target.slice(path.length))) continue;
      for (const [method, op] of Object.entries(targetOps)) {
        if (method === 'get' || !op['operationId']) continue;
        const name = String(op['operationId'])
          .replace(/^\w+?_/, '')
          .replace(/^./, (c) => c.toUpperCase());
        links[name] = { operationId: op['operationId'], parameters, description: `The same resource, acted on (${method.toUpperCase()} ${target}).` };
      }
    }
    if (Object.keys(links).length) read['links'] = { ...((read['links'] as JsonObject | undefined) ?? {}), ...links };
  }
}

/**
 * Links that no collection path implies: a created contact's `external_id`
 * is what the upsert by external id takes (its own namespace, not the
 * collection's `{id}`); an invitation's token is what accepting it takes,
 * and accepting makes the member (`data.user.id`) that the member routes take.
 */
const EXTRA_LINKS: { from: [path: string, method: string, status: string]; name: string; link: JsonObject }[] = [
  {
    from: ['/v1/contacts', 'post', '201'],
    name: 'UpsertByExternalId',
    link: {
      operationId: 'contacts_upsertByExternalId',
      parameters: { external_id: '$response.body#/data/external_id' },
      description: 'The `external_id` of the created contact (when it has one): the upsert then updates that contact.',
    },
  },
  {
    from: ['/v1/members/invitations', 'post', '201'],
    name: 'Accept',
    link: { operationId: 'members_accept', requestBody: { token: '$response.body#/data/token' }, description: 'The token of the created invitation, accepted.' },
  },
  ...['members_update', 'members_remove'].map((operationId) => ({
    from: ['/v1/members/invitations/accept', 'post', '200'] as [string, string, string],
    name: operationId === 'members_update' ? 'UpdateMember' : 'RemoveMember',
    link: { operationId, parameters: { user_id: '$response.body#/data/user/id' }, description: 'The user who accepted, as `user_id`.' },
  })),
];

function addExtraLinks(paths: Record<string, Record<string, JsonObject>>): void {
  for (const { from, name, link } of EXTRA_LINKS) {
    const [path, method, status] = from;
    const response = (paths[path]?.[method]?.['responses'] as Record<string, JsonObject> | undefined)?.[status];
    if (!response) throw new Error(`no ${status} answer of ${method.toUpperCase()} ${path} to link from`);
    response['links'] = { ...((response['links'] as JsonObject | undefined) ?? {}), [name]: link };
  }
}

/** Any JSON value without U+0000 in a string or key: what `z.unknown()` accepts once past the gateway. */
const JSON_VALUE: JsonObject = {
  anyOf: [
    { type: 'string', pattern: NO_NUL },
    { type: ['number', 'boolean', 'null'] },
    { type: 'array', items: { $ref: '#/components/schemas/JsonValue' } },
    { type: 'object', propertyNames: { pattern: NO_NUL }, additionalProperties: { $ref: '#/components/schemas/JsonValue' } },
  ],
};

interface ZodDefLike {
  typeName?: string;
  checks?: { kind: string; value?: number }[];
}

/**
 * One pattern for a trimmed non-blank string whose own pattern is a run of
 * one character class (`^[\p{L}\p{N} _:.\-/]+$`, `^\P{Cc}+$`): the same run
 * holding at least one of its characters that is not white space. Two
 * patterns on one string (its own and an `allOf` one) say the same, but
 * generators draw from one pattern and filter by the other: schemathesis
 * 4.32 draws from each in turn and from both joined, and a value drawn from
 * the non-blank pattern, or a pair drawn from both, almost never passes the
 * other, so most valid bodies with tags were discarded before they were sent
 * (issue 14: the stateful fuzz never sent a valid `POST /v1/contacts/{id}/tags`;
 * a contacts-only stateful run sent 3 of them in 100 scenarios, 97 with one
 * pattern, and discarded 459 draws instead of 69). Undefined for any other pattern
 * (kept as two): only plain classes of letters, digits, listed punctuation
 * and the space, whose one white space character is the space.
 */
export function nonBlankRun(pattern: string): string | undefined {
  if (pattern === '^\\P{Cc}+$') return '^\\P{Cc}*[^\\s\\p{Cc}]\\P{Cc}*$';
  const run = /^\^\[((?:\\p\{[LN]\}|\\[-./]|[A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9_:./ ])+)\]\+\$$/.exec(pattern);
  if (!run) return undefined;
  const all = run[1]!;
  const solid = all.replace(/ /g, '');
  return all === solid ? pattern : `^[${all}]*[${solid}][${all}]*$`;
}

/**
 * Whether a pattern can match only strings without U+0000: anchored at both
 * ends, and made of literal characters, `\d`, escaped punctuation,
 * quantifiers and classes that list characters (no `.`, no negated class, no
 * `\S`/`\W`/`\D`/`\P{…}`, no escape that could name U+0000).
 */
function excludesNul(pattern: string): boolean {
  return /^\^(?:[^.\\[\]\u0000]|\\[d+?*.()\-/]|\[(?!\^)[^\]\\\u0000]*\])*\$$/.test(pattern);
}

/**
 * A string that is an `allOf` of plain string schemas (what zod-to-json-schema
 * makes of `.pipe()`: the input's schema and the output's, `PhoneSchema`), as
 * one schema: the input's NUL-free pattern is dropped when the output's
 * pattern excludes U+0000 already, so that the string has one pattern (see
 * nonBlankRun for why two are a generator's trouble). Anything else is kept.
 */
function oneStringSchema(schema: JsonObject): JsonObject {
  const parts = schema['allOf'];
  const simple = new Set(['type', 'pattern', 'minLength', 'maxLength']);
  if (!Array.isArray(parts) || parts.length < 2) return schema;
  if (!parts.every((p) => p && typeof p === 'object' && (p as JsonObject)['type'] === 'string' && Object.keys(p as JsonObject).every((k) => simple.has(k))))
    return schema;
  const patterns = (parts as JsonObject[]).map((p) => p['pattern']).filter((p): p is string => typeof p === 'string');
  const strict = patterns.filter((p) => p !== NO_NUL);
  if (strict.length !== 1 || !excludesNul(strict[0]!)) return schema;
  const merged: JsonObject = { type: 'string', pattern: strict[0] };
  for (const part of parts as JsonObject[]) {
    for (const key of ['minLength', 'maxLength'] as const) {
      if (part[key] === undefined) continue;
      if (merged[key] !== undefined && merged[key] !== part[key]) return schema;
      merged[key] = part[key];
    }
  }
  const { allOf: _allOf, ...rest } = schema;
  if (Object.keys(rest).some((k) => k !== 'type' || rest[k] !== 'string')) return schema;
  return merged;
}

/**
 * What zod-to-json-schema leaves out of a definition: the refinements its
 * schema documents with `documented()` (contracts), and the trimming before a
 * minimum length (`.trim().min(1)` refuses `" "`, so the document asks for a
 * non-blank string).
 */
function postProcess(json: JsonObject | undefined, def: unknown): JsonObject | undefined {
  if (!json) return json;
  let out = json;
  const zdef = def as ZodDefLike;
  if (zdef.typeName === 'ZodString' && zdef.checks?.some((c) => c.kind === 'trim')) {
    const min = zdef.checks.find((c) => c.kind === 'min')?.value ?? 0;
    if (min > 0) {
      const merged = min === 1 && typeof out['pattern'] === 'string' ? nonBlankRun(out['pattern']) : undefined;
      const blank = { pattern: min === 1 ? NON_BLANK_PATTERN : `^\\s*[^\\s\\u0000][^\\u0000]{${min - 2},}[^\\s\\u0000]\\s*$` };
      if (merged) out = { ...out, pattern: merged };
      else out = out['pattern'] ? { ...out, allOf: [...((out['allOf'] as JsonObject[]) ?? []), blank] } : { ...out, ...blank };
    }
  }
  const hint = openApiHintOf(def);
  if (typeof hint === 'function') out = hint(out);
  else if (hint) out = { ...out, ...hint };
  return out;
}

/** Keywords whose value maps names to schemas (not a schema itself). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions']);
/** Keywords whose value is not a schema at all. */
const NOT_SCHEMAS = new Set(['required', 'enum', 'const', 'default', 'examples', 'x-mutually-exclusive', 'x-relations', 'type']);

/** Every string (value, key, parameter) refuses U+0000, as the gateway does; an open value (`{}`) is a NUL-free JsonValue. */
function withoutNul(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutNul);
  if (!schema || typeof schema !== 'object') return schema;
  if (Object.keys(schema).length === 0) return { $ref: '#/components/schemas/JsonValue' };
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) {
    if (NOT_SCHEMAS.has(k) || typeof v !== 'object' || v === null) out[k] = v;
    else if (SCHEMA_MAPS.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, withoutNul(s)]));
    else out[k] = withoutNul(v);
  }
  const single = oneStringSchema(out);
  if (single !== out) return single;
  const types = ([] as unknown[]).concat(out['type'] ?? []);
  const plain = !out['pattern'] && !out['enum'] && !('const' in out) && !out['format'];
  if (types.includes('string') && plain) out['pattern'] = NO_NUL;
  if (types.includes('object') && out['additionalProperties'] !== false) {
    const names = (out['propertyNames'] as JsonObject | undefined) ?? {};
    if (!names['pattern'] && !names['enum']) out['propertyNames'] = { ...names, pattern: NO_NUL };
  }
  return out;
}

function jsonSchema(schema: ZodTypeAny, post: typeof postProcess = postProcess): JsonObject {
  // The converter's generic types recurse too deeply for tsc; its output is plain JSON either way.
  const convert = zodToJsonSchema as unknown as (s: ZodTypeAny, o: object) => JsonObject;
  const out = convert(schema, {
    target: 'jsonSchema2019-09',
    $refStrategy: 'none',
    // zod's own email regex, not `format: email`: the document accepts exactly the addresses the validation does.
    emailStrategy: 'pattern:zod',
    postProcess: post,
  });
  delete out['$schema'];
  return withoutNul(out) as JsonObject;
}

/**
 * The reply schemas of a document: a schema registered with `named()`
 * (contracts) becomes `#/components/schemas/<name>`, converted once, and is
 * referenced wherever it appears, at the top of a reply or inside another.
 */
class ReplySchemas {
  readonly components: Record<string, JsonObject> = {};
  private readonly defs = new Map<string, unknown>();

  /** The JSON Schema of `schema`, with `$ref`s to the named schemas in it. */
  convert(schema: ZodTypeAny): JsonObject {
    return this.convertFrom(schema, undefined);
  }

  private convertFrom(schema: ZodTypeAny, root: unknown): JsonObject {
    return jsonSchema(schema, (json, def) => {
      const out = postProcess(json, def);
      const name = openApiNameOf(def);
      if (!name || def === root) return out;
      const known = this.defs.get(name);
      if (known !== undefined && known !== def) throw new Error(`two reply schemas are named ${name}`);
      if (known === undefined) {
        this.defs.set(name, def);
        this.components[name] = {}; // reserved first, so a schema that contains itself stops here
        this.components[name] = this.convertFrom({ _def: def } as unknown as ZodTypeAny, def);
      }
      return { $ref: `#/components/schemas/${name}` };
    });
  }
}

function queryParameters(schema: ZodTypeAny): { parameters: JsonObject[]; exclusive?: string[][]; relations?: unknown[] } {
  const json = jsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  const exclusive = json['x-mutually-exclusive'] as string[][] | undefined;
  const parameters = Object.entries(properties).map(([name, s]) => {
    const parameter: JsonObject = { name, in: 'query', required: required.has(name), schema: s };
    const others = exclusive?.filter((g) => g.includes(name)).flatMap((g) => g.filter((n) => n !== name)) ?? [];
    const notes: string[] = [];
    if (name === 'cursor') {
      // A cursor is opaque (the position of a row, JSON in base64url): only a value the API returned is valid.
      parameter['x-opaque'] = true;
      notes.push('Opaque: send `meta.next_cursor` of the previous page; any other value is a 400 on `cursor`.');
    } else if (s['x-opaque']) {
      // Valid values depend on the clock or the data (documented() in contracts says how).
      parameter['x-opaque'] = true;
    }
    if (others.length) notes.push(`Not together with ${others.map((n) => `\`${n}\``).join(' or ')} (a 400).`);
    if (notes.length) parameter['description'] = notes.join(' ');
    return parameter;
  });
  return { parameters, exclusive, relations: json['x-relations'] as unknown[] | undefined };
}

/** A part (`query`, `body`) of a pattern's request schema: the very schema the service validates that part with. */
function partOf(rpc: RpcDefinition | undefined, part: 'query' | 'body' | 'params'): ZodTypeAny | undefined {
  return rpc?.request.shape[part];
}

function operationId(route: CatalogRoute): string {
  return `${route.controller.replace(/Controller$/, '')}_${route.handler}`.replace(/^./, (c) => c.toLowerCase());
}

/**
 * The success envelope around `data` (a list's items when `paginated`); an
 * operation without a reply schema gets an open `data`, which the document's
 * test refuses.
 */
function envelope(data: JsonObject | undefined, paginated: boolean): JsonObject {
  const links = paginated
    ? { type: 'object', properties: { self: { type: 'string' }, next: { type: 'string' }, prev: { type: 'string' } } }
    : { type: 'object', additionalProperties: { type: 'string' } };
  return {
    type: 'object',
    required: ['data', 'meta'],
    properties: { data: data ?? (paginated ? { type: 'array', items: {} } : {}), meta: { $ref: '#/components/schemas/Meta' }, links },
  };
}

/** Routes that are not the tenants' API: the operator's (/v1/admin) and GitHub secret scanning's partner endpoint. */
export function isPrivateSurface(path: string): boolean {
  return path.startsWith('/v1/admin/') || path.startsWith('/v1/secret-scanning/');
}

export function buildOpenApi(controllers: Type<unknown>[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  const replies = new ReplySchemas();
  for (const route of routeCatalog(controllers)) {
    // The operator API (/v1/admin) and GitHub's partner endpoint are not the tenants': they stay out of their document and SDKs.
    if (!route.path.startsWith('/v1') || route.path === '/v1/openapi.json' || isPrivateSurface(route.path)) continue;
    const handler = (controllers.find((c) => c.name === route.controller)!.prototype as Record<string, object>)[route.handler]!;
    const doc = Reflect.getMetadata(API_DOC, handler) as ApiDocOptions | undefined;
    // The status Nest really answers with (`@HttpCode`), else the one the route documents, else Nest's default.
    const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
    const status = String(httpCode ?? doc?.status ?? (route.method === 'POST' ? 201 : 200));
    // A path parameter has the schema the service validates it with (an upsert's `external_id`), else any NUL-free string.
    const params = partOf(doc?.rpc, 'params');
    const paramSchemas = params ? ((jsonSchema(params)['properties'] ?? {}) as Record<string, JsonObject>) : {};
    const parameters: JsonObject[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: paramSchemas[m[1]!] ?? { type: 'string', pattern: NO_NUL },
    }));
    const query = doc?.query ?? partOf(doc?.rpc, 'query');
    const reply = doc?.response ?? doc?.rpc?.response;
    const body = doc?.body ?? partOf(doc?.rpc, 'body');
    const { parameters: queryParams, exclusive, relations } = query ? queryParameters(query) : { parameters: [], exclusive: undefined, relations: undefined };
    parameters.push(...queryParams);
    if (route.method === 'POST' && !route.isPublic) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Replays the first response for 24 h; a different request with the same key is refused (422).',
        // The pattern the idempotency store validates with (1–255 visible ASCII characters).
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: KEY_PATTERN.source },
      });
    }
    const success: JsonObject =
      status === '204'
        ? { description: 'Done; no body.', headers: RATE_LIMIT_HEADERS }
        : doc?.streamed
          ? {
              description: doc.returns ?? 'Streamed export.',
              headers: RATE_LIMIT_HEADERS,
              content: Object.fromEntries(doc.streamed.map((t) => [t, { schema: { type: 'string' } }])),
            }
          : {
              description: doc?.returns ?? 'Success.',
              headers: RATE_LIMIT_HEADERS,
              content: { 'application/json': { schema: envelope(reply ? replies.convert(reply) : undefined, !!doc?.paginated) } },
            };
    const errorStatuses = Object.keys(ERRORS)
      .filter((s) => {
        // Log-in and refresh answer 401 on wrong credentials or a spent refresh token.
        if (route.isPublic) return !['403', '503'].includes(s) && (s !== '401' || CREDENTIAL_ROUTES.has(route.path));
        if (route.method === 'GET') return !['409', '413', '415', '422'].includes(s);
        return true;
      })
      .filter((s) => {
        // Every operation can be answered 405 (another method at its path); 415 wherever a body can be sent.
        if (s === '415') return route.method !== 'GET';
        return true;
      });
    const operation: JsonObject = {
      operationId: operationId(route),
      summary: doc?.summary ?? `${route.method} ${route.path}`,
      tags: [doc?.tag ?? route.controller.replace(/Controller$/, '')],
      security: route.isPublic ? [] : [{ apiKey: [] }, { bearer: [] }],
      'x-required-scope': route.isPublic ? null : (route.scope ?? 'any'),
      parameters,
      responses: {
        [status]: success,
        ...(doc?.alsoStatus ? { [String(doc.alsoStatus)]: success } : {}),
        ...Object.fromEntries(errorStatuses.map((s) => [s, { $ref: `#/components/responses/E${s}` }])),
      },
    };
    if (!route.isPublic) {
      operation['description'] = route.scope ? `Requires the \`${route.scope}\` scope.` : 'Any valid credential.';
    }
    if (exclusive) operation['x-mutually-exclusive'] = exclusive;
    if (doc?.softDelete) operation['x-soft-delete'] = true;
    if (relations) operation['x-relations'] = relations;
    // A body that may be empty may also be left out: the routes that take one read a missing body as `{}`.
    if (body) {
      const schema = jsonSchema(body);
      operation['requestBody'] = { required: !body.safeParse({}).success, content: { 'application/json': { schema } } };
      const errors = definitionErrors(schema);
      if (errors) operation['x-definition-errors'] = errors;
    }
    if (body && doc?.form) {
      const form = { schema: jsonSchema(doc.form) };
      operation['requestBody'] = {
        required: false,
        content: { 'application/json': { schema: jsonSchema(body) }, 'application/x-www-form-urlencoded': form, 'multipart/form-data': form },
      };
    }
    if (doc?.upload) {
      // A file upload: a JSON `options` part, then the `file` part (streamed, so the options must come first).
      const relations = doc.upload.relations ? relationsOf(...doc.upload.relations) : {};
      const parts = 'Exactly two parts: `options` first, then `file` (the file is streamed as it arrives); a 400 otherwise.';
      operation['requestBody'] = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['options', 'file'],
              properties: { options: jsonSchema(doc.upload.options), file: { type: 'string', format: 'binary', description: doc.upload.file } },
              ...relations,
              // The parts and their order, which JSON Schema cannot state beside a binary part: `x-part-order` for
              // tools, the description for people. (`additionalProperties: false`, `maxProperties` or `propertyNames`
              // would say "no other part", but schemathesis 4.32's coverage phase fails on each of them here:
              // "Unsupported type: 'Binary'".)
              'x-part-order': ['options', 'file'],
              description: relations['description'] ? `${parts} Also: ${String(relations['description'])}` : parts,
            },
            encoding: { options: { contentType: 'application/json' } },
          },
        },
      };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  addLinks(paths, replies.components);
  addItemLinks(paths);
  addExtraLinks(paths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sigil API',
      version,
      description:
        'Multi-tenant audience platform: contacts, custom fields, lists, segments, API keys and signed webhooks. ' +
        'Authenticate with `Authorization: Bearer sg_live_…` (or `X-API-Key`), or a session access token. ' +
        `Scopes: ${SCOPES.map((s) => `\`${s}\``).join(', ')}.`,
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (`sg_live_…`/`sg_test_…`) or a session access token.' },
      },
      schemas: {
        JsonValue: JSON_VALUE,
        Meta: {
          type: 'object',
          required: ['request_id'],
          properties: {
            request_id: { type: 'string' },
            page: { type: 'integer' },
            limit: { type: 'integer' },
            total: { type: 'integer' },
            has_more: { type: 'boolean' },
            next_cursor: { type: ['string', 'null'] },
            prev_cursor: { type: ['string', 'null'] },
          },
        },
        ...replies.components,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['status', 'code', 'type', 'message', 'request_id'],
              properties: {
                status: { type: 'integer' },
                code: { type: 'string', enum: [...ErrorCodes] },
                type: { type: 'string', enum: ['authentication_error', 'authorization_error', 'invalid_request_error', 'rate_limit_error', 'api_error'] },
                message: { type: 'string' },
                request_id: { type: 'string' },
                details: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['field', 'code', 'message'],
                    properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([s, description]) => [
          `E${s}`,
          {
            description,
            headers:
              s === '429'
                ? { ...RATE_LIMIT_HEADERS, 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } }
                : s === '405'
                  ? { ...RATE_LIMIT_HEADERS, Allow: { description: 'The methods this path takes.', schema: { type: 'string' } } }
                  : RATE_LIMIT_HEADERS,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
