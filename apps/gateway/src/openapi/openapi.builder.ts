/**
 * Builds the OpenAPI 3.1 document from the code: every route the gateway
 * serves (method, path, scope), its request schemas (the zod schemas of
 * libs/contracts, converted to JSON Schema), the envelopes, every error
 * response and the rate-limit headers.
 */
import type { Type } from '@nestjs/common';
import type { ZodTypeAny } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { ErrorCodes, SCOPES } from '@sigil/contracts';
import { API_DOC, type ApiDocOptions } from './api-doc.decorator';
import { KEY_PATTERN } from '../idempotency/idempotency.store';
import { routeCatalog, type CatalogRoute } from './route-catalog';

type JsonObject = Record<string, unknown>;

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window (and day).', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window frees a request.', schema: { type: 'integer' } },
  RateLimit: { description: 'IETF RateLimit field for the window closest to exhaustion: `"minute";r=<remaining>;t=<reset>` (`"day"` once the day binds).', schema: { type: 'string' } },
  'RateLimit-Policy': { description: 'IETF RateLimit-Policy field: `"minute";q=<limit>;w=60, "day";q=<limit>;w=86400` (per-IP limits: `"minute"` or `"hour"`).', schema: { type: 'string' } },
  'X-Request-Id': { description: 'The request id (yours if you sent a valid one).', schema: { type: 'string' } },
};

const ERRORS: Record<string, string> = {
  '400': 'Invalid request: `validation_failed` (with per-field `details`) or `invalid_json`.',
  '401': 'Not authenticated: `missing_api_key`, `invalid_api_key`, `expired_api_key`, `revoked_api_key` or `invalid_token`.',
  '403': 'Authenticated but not allowed: `insufficient_scope` (names `required_scope`), `ip_not_allowed` (the key’s `allowed_cidrs` exclude the client) or `plan_limit_exceeded`.',
  '404': 'No such resource for this tenant and mode (`not_found`), including other tenants\' ids.',
  '409': 'Conflict (`conflict`), or an Idempotency-Key still in flight (`idempotency_key_in_flight`).',
  '413': 'Body over 1 MiB or batch over its row limit (`payload_too_large`).',
  '415': 'Body is not JSON (`unsupported_media_type`).',
  '422': 'Idempotency-Key reused with a different request (`idempotency_key_reuse`).',
  '429': 'Rate limit exceeded (`rate_limit_exceeded`); see `Retry-After`.',
  '500': 'Internal error (`internal_error`); never carries internals.',
  '503': 'Rate limiter unavailable (`rate_limiter_unavailable`).',
  '504': 'A service did not answer in time (`upstream_timeout`).',
};

/** Public routes that take a credential in their body. */
const CREDENTIAL_ROUTES = new Set(['/v1/auth/login', '/v1/auth/refresh']);

/**
 * Where a creation's id is read from and which collection it belongs to,
 * when that is not the creating path itself (a test delivery is a delivery).
 */
const CREATES_INTO: Record<string, string> = { '/v1/webhooks/{id}/test': '/v1/webhooks/{id}/deliveries' };

/**
 * OpenAPI links from each create operation (a 201) to every operation whose
 * path continues its collection with the new id, so clients and stateful
 * fuzzers can chain `POST /v1/contacts` → `GET /v1/contacts/{id}`, etc.
 */
function addLinks(paths: Record<string, Record<string, JsonObject>>): void {
  for (const [path, operations] of Object.entries(paths)) {
    const create = operations['post'];
    // 201 creates the resource; 202 accepts a job (an import) that is created at once and runs later.
    const responses = create?.['responses'] as Record<string, JsonObject> | undefined;
    const created = responses?.['201'] ?? responses?.['202'];
    if (!create || !created) continue;
    const collection = CREATES_INTO[path] ?? path;
    const links: Record<string, JsonObject> = {};
    for (const [target, targetOps] of Object.entries(paths)) {
      const m = target.slice(collection.length).match(/^\/\{(\w+)\}/);
      if (!target.startsWith(collection) || !m) continue;
      const idParam = m[1]!;
      const field = idParam === 'key' ? 'key' : 'id';
      for (const op of Object.values(targetOps)) {
        const parameters: Record<string, string> = { [idParam]: `$response.body#/data/${field}` };
        for (const [, name] of path.matchAll(/\{(\w+)\}/g)) parameters[name!] = `$request.path.${name}`;
        // `contacts_addTags` → `AddTags`: unique, since a path's operations share one controller.
        const name = String(op['operationId']).replace(/^\w+?_/, '').replace(/^./, (c) => c.toUpperCase());
        links[name] = { operationId: op['operationId'], parameters, description: `The ${field} of the created resource as \`${idParam}\`.` };
      }
    }
    if (Object.keys(links).length) created['links'] = links;
  }
}

function jsonSchema(schema: ZodTypeAny): JsonObject {
  // The converter's generic types recurse too deeply for tsc; its output is plain JSON either way.
  const convert = zodToJsonSchema as unknown as (s: ZodTypeAny, o: object) => JsonObject;
  const out = convert(schema, { target: 'jsonSchema2019-09', $refStrategy: 'none' });
  delete out['$schema'];
  return out;
}

function queryParameters(schema: ZodTypeAny): JsonObject[] {
  const json = jsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonObject>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

function operationId(route: CatalogRoute): string {
  return `${route.controller.replace(/Controller$/, '')}_${route.handler}`.replace(/^./, (c) => c.toLowerCase());
}

export function buildOpenApi(controllers: Type<unknown>[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routeCatalog(controllers)) {
    // The operator API (/v1/admin) is not the tenants': it stays out of their document and SDKs.
    if (!route.path.startsWith('/v1') || route.path === '/v1/openapi.json' || route.path.startsWith('/v1/admin/')) continue;
    const handler = (controllers.find((c) => c.name === route.controller)!.prototype as Record<string, object>)[route.handler]!;
    const doc = Reflect.getMetadata(API_DOC, handler) as ApiDocOptions | undefined;
    const status = String(doc?.status ?? (route.method === 'DELETE' ? 204 : 200));
    const parameters: JsonObject[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (doc?.query) parameters.push(...queryParameters(doc.query));
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
              content: { 'application/json': { schema: { $ref: doc?.paginated ? '#/components/schemas/ListEnvelope' : '#/components/schemas/Envelope' } } },
            };
    const errorStatuses = Object.keys(ERRORS).filter((s) => {
      // Log-in and refresh answer 401 on wrong credentials or a spent refresh token.
      if (route.isPublic) return !['403', '503'].includes(s) && (s !== '401' || CREDENTIAL_ROUTES.has(route.path));
      if (route.method === 'GET') return !['409', '413', '415', '422'].includes(s);
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
        ...Object.fromEntries(errorStatuses.map((s) => [s, { $ref: `#/components/responses/E${s}` }])),
      },
    };
    if (!route.isPublic) {
      operation['description'] = route.scope ? `Requires the \`${route.scope}\` scope.` : 'Any valid credential.';
    }
    if (doc?.body) operation['requestBody'] = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } };
    if (doc?.upload) {
      // A file upload: a JSON `options` part, then the `file` part (streamed, so the options must come first).
      operation['requestBody'] = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['options', 'file'],
              properties: { options: jsonSchema(doc.upload.options), file: { type: 'string', format: 'binary', description: doc.upload.file } },
            },
            encoding: { options: { contentType: 'application/json' } },
          },
        },
      };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  addLinks(paths);
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
          },
        },
        Envelope: {
          type: 'object',
          required: ['data', 'meta'],
          properties: { data: {}, meta: { $ref: '#/components/schemas/Meta' }, links: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        ListEnvelope: {
          type: 'object',
          required: ['data', 'meta'],
          properties: {
            data: { type: 'array', items: {} },
            meta: { $ref: '#/components/schemas/Meta' },
            links: { type: 'object', properties: { self: { type: 'string' }, next: { type: 'string' }, prev: { type: 'string' } } },
          },
        },
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
                  items: { type: 'object', required: ['field', 'code', 'message'], properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } },
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
            headers: s === '429' ? { ...RATE_LIMIT_HEADERS, 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } : RATE_LIMIT_HEADERS,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}
