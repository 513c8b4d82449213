/**
 * The OpenAPI document built from the gateway's code is valid OpenAPI 3.1
 * (checked by an independent validator), lists every route with its scope,
 * and documents the errors and rate-limit headers.
 */
import 'reflect-metadata';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Type } from '@nestjs/common';
import { GatewayAppModule } from '../app.module';
import { GatewayConfigSchema } from '../config';
import * as contracts from '@sigil/contracts';
import { API_DOC, type ApiDocOptions } from './api-doc.decorator';
import { buildOpenApi, isPrivateSurface } from './openapi.builder';
import { routeCatalog } from './route-catalog';

const controllers = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'x', partitions: 1 }).controllers as Type<unknown>[];
const doc = buildOpenApi(controllers, '1.0.0') as any;

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    // validate() throws with the list of problems if the document is not valid.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has every /v1 route of the gateway, with its scope (the operator API aside)', () => {
    for (const route of routeCatalog(controllers).filter((r) => r.path.startsWith('/v1') && r.path !== '/v1/openapi.json' && !isPrivateSurface(r.path))) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect({ route: `${route.method} ${route.path}`, found: !!op }).toEqual({ route: `${route.method} ${route.path}`, found: true });
      expect(op['x-required-scope']).toBe(route.isPublic ? null : (route.scope ?? 'any'));
    }
  });

  it("leaves the operator API (/v1/admin) and the secret scanning partner endpoint out of the tenants' document", () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/admin') || p.startsWith('/v1/secret-scanning'))).toEqual([]);
  });

  it('every /v1 route carries @ApiDoc (a summary, and its schemas)', () => {
    const undocumented = routeCatalog(controllers)
      .filter((r) => r.path.startsWith('/v1') && r.path !== '/v1/openapi.json')
      .filter((r) => {
        const handler = (controllers.find((c) => c.name === r.controller)!.prototype as Record<string, object>)[r.handler]!;
        return !Reflect.getMetadata(API_DOC, handler);
      })
      .map((r) => `${r.method} ${r.path}`);
    expect(undocumented).toEqual([]);
  });

  it('documents request bodies from the contracts schemas, errors and rate-limit headers', () => {
    const create = doc.paths['/v1/api-keys'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['name', 'environment', 'scopes']));
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '422', '429', '504']));
    expect(create.responses['201'].headers).toHaveProperty('X-RateLimit-Remaining');
    expect(doc.components.responses.E429.headers).toHaveProperty('Retry-After');
  });
});

describe('OpenAPI document: links, credentials and the Idempotency-Key rule', () => {
  it('links each create operation to the operations that take its id', () => {
    const links = doc.paths['/v1/contacts'].post.responses['201'].links;
    expect(links.Get).toEqual(expect.objectContaining({ operationId: 'contacts_get', parameters: { id: '$response.body#/data/id' } }));
    expect(Object.values(links).map((l: any) => l.operationId)).toEqual(
      expect.arrayContaining(['contacts_get', 'contacts_update', 'contacts_delete', 'contacts_addTags', 'contacts_listActivities']),
    );
    expect(doc.paths['/v1/custom-fields'].post.responses['201'].links.Get.parameters).toEqual({ key: '$response.body#/data/key' });
    expect(doc.paths['/v1/webhooks/{id}/test'].post.responses['201'].links.GetDelivery.parameters).toEqual({
      delivery_id: '$response.body#/data/id',
      id: '$request.path.id',
    });
    // The upsert by external_id takes a created contact's external_id (or, when it has none, any: it creates).
    expect(doc.paths['/v1/contacts'].post.responses['201'].links.UpsertByExternalId.parameters).toEqual({ external_id: '$response.body#/data/external_id' });
    // A started recovery is read at …/recoveries/{recovery_id}.
    expect(doc.paths['/v1/webhooks/{id}/recover'].post.responses['202'].links.GetRecovery.parameters).toEqual({
      recovery_id: '$response.body#/data/id',
      id: '$request.path.id',
    });
  });

  it('links each list to the operations that take its items’ ids (the first item’s)', () => {
    expect(doc.paths['/v1/webhooks/{id}/deliveries'].get.responses['200'].links.RetryDelivery.parameters).toEqual({
      delivery_id: '$response.body#/data/0/id',
      id: '$request.path.id',
    });
    expect(doc.paths['/v1/custom-fields'].get.responses['200'].links.Get.parameters).toEqual({ key: '$response.body#/data/0/key' });
    expect(doc.paths['/v1/members'].get.responses['200'].links.Update.parameters).toEqual({ user_id: '$response.body#/data/0/user_id' });
    expect(doc.paths['/v1/contacts'].get.responses['200'].links.Get.parameters).toEqual({ id: '$response.body#/data/0/id' });
  });

  it('links a read of one resource to the actions on it, with the path it was read at', () => {
    // Issue 14: a delivery is retried once its read shows it settled; a contact read is tagged and untagged.
    expect(doc.paths['/v1/webhooks/{id}/deliveries/{delivery_id}'].get.responses['200'].links.RetryDelivery).toEqual(
      expect.objectContaining({ operationId: 'webhooks_retryDelivery', parameters: { id: '$request.path.id', delivery_id: '$request.path.delivery_id' } }),
    );
    const contact = doc.paths['/v1/contacts/{id}'].get.responses['200'].links;
    expect(contact.AddTags).toEqual(expect.objectContaining({ operationId: 'contacts_addTags', parameters: { id: '$request.path.id' } }));
    expect(contact.RemoveTags).toEqual(expect.objectContaining({ operationId: 'contacts_removeTags', parameters: { id: '$request.path.id' } }));
    // Not the resource's own writes (its create and list lead there), nor other reads.
    const targets = Object.values(contact).map((l: any) => l.operationId);
    expect(targets).not.toEqual(expect.arrayContaining(['contacts_update']));
    expect(targets).not.toEqual(expect.arrayContaining(['contacts_delete']));
    expect(targets).not.toEqual(expect.arrayContaining(['contacts_listActivities']));
  });

  it('reaches every operation that takes an id by a link that supplies each of its path parameters', () => {
    const links = Object.values(doc.paths).flatMap((ops: any) =>
      Object.values(ops).flatMap((op: any) => Object.values(op.responses).flatMap((r: any) => Object.values(r.links ?? {}) as any[])),
    );
    const byOperationId = new Map(
      Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) => Object.values(ops).map((op: any) => [op.operationId, path] as const)),
    );
    const paramsOf = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    // A link that leaves a path parameter to the client's invention leads to a 404: there is none.
    const partial = links.filter((l) => paramsOf(byOperationId.get(l.operationId)!).some((name) => !(name in (l.parameters ?? {}))));
    expect(partial.map((l) => l.operationId)).toEqual([]);
    const linked = new Set(links.map((l) => l.operationId));
    const withId = [...byOperationId].filter(([, path]) => paramsOf(path).length).map(([id]) => id);
    expect(withId.length).toBeGreaterThan(50);
    expect(withId.filter((id) => !linked.has(id))).toEqual([]);
  });

  it('links an invitation to accepting it, and accepting it to the member routes', () => {
    expect(doc.paths['/v1/members/invitations'].post.responses['201'].links.Accept).toEqual(
      expect.objectContaining({ operationId: 'members_accept', requestBody: { token: '$response.body#/data/token' } }),
    );
    const accepted = doc.paths['/v1/members/invitations/accept'].post.responses['200'].links;
    expect(Object.values(accepted).map((l: any) => [l.operationId, l.parameters])).toEqual([
      ['members_update', { user_id: '$response.body#/data/user/id' }],
      ['members_remove', { user_id: '$response.body#/data/user/id' }],
    ]);
  });

  it('states the rules a body or query has beyond its JSON Schema: an upsert body is its path’s external_id, a one-click token is in the query or the body, an activity is at most a day ahead, an import’s list is the tenant’s and its options come before its file', () => {
    const upsert = doc.paths['/v1/contacts/by-external-id/{external_id}'].put.requestBody.content['application/json'].schema;
    expect(upsert['x-relations']).toEqual([{ kind: 'equals-path', field: 'external_id', parameter: 'external_id' }]);
    expect(doc.paths['/v1/subscriptions/unsubscribe'].post['x-relations']).toEqual([{ kind: 'query-or-body', field: 'token' }]);
    expect(doc.paths['/v1/audit-log'].get['x-relations']).toEqual([{ kind: 'after', field: 'until', than: 'since' }]);
    expect(doc.paths['/v1/usage'].get['x-relations']).toEqual([{ kind: 'after', field: 'to', than: 'from' }]);
    // A bound relative to now (the fuzz found the 400 undocumented): an activity at most a day ahead of the server's clock.
    const activity = doc.paths['/v1/contacts/{id}/activities'].post.requestBody.content['application/json'].schema;
    expect(activity['x-relations']).toEqual([{ kind: 'not-later-than-now-plus', field: 'occurred_at', seconds: 86400 }]);
    expect(activity.description).toContain('at most 24 h later than the server');
    // A path parameter carries the rules the service validates it with: an external_id has no control characters.
    const externalId = doc.paths['/v1/contacts/by-external-id/{external_id}'].put.parameters.find((p: any) => p.name === 'external_id').schema;
    expect(externalId).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    expect(JSON.stringify(externalId)).toContain('Cc');
    expect(doc.paths['/v1/contacts/{id}'].get.parameters.find((p: any) => p.name === 'id').schema).toEqual({ type: 'string', pattern: contracts.NO_NUL_PATTERN });
    // Every actor type an audit entry can name (AuditActor), `system` too: the reply schema said only user or api_key.
    expect(doc.components.schemas.AuditEntry.properties.actor.properties.type.enum).toEqual(['user', 'api_key', 'system']);
    const options = doc.paths['/v1/imports'].post.requestBody.content['multipart/form-data'].schema.properties.options;
    expect(options.properties.list_id['x-defined-by']).toBe('/v1/lists');
    // The upload is streamed: options before the file.
    const form = doc.paths['/v1/imports'].post.requestBody.content['multipart/form-data'].schema;
    expect(form['x-part-order']).toEqual(['options', 'file']);
    expect(form.description).toMatch(/^Exactly two parts/);
  });

  it('documents 401 where a body credential is taken, and the Idempotency-Key pattern the store enforces', () => {
    expect(doc.paths['/v1/auth/login'].post.responses).toHaveProperty('401');
    expect(doc.paths['/v1/auth/refresh'].post.responses).toHaveProperty('401');
    // An existing user accepting an invitation proves it with their password.
    expect(doc.paths['/v1/members/invitations/accept'].post.responses).toHaveProperty('401');
    expect(doc.paths['/v1/auth/signup'].post.responses).not.toHaveProperty('401');
    const header = doc.paths['/v1/contacts'].post.parameters.find((p: any) => p.name === 'Idempotency-Key');
    expect(header.schema).toEqual({ type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' });
  });
});

describe('OpenAPI document: the schemas the services validate with', () => {
  it('documents every body and query with a part of a defineRpc request schema, so the two cannot drift', () => {
    // The parts the gateway validates itself (it streams exports rather than forwarding a request).
    const parts = new Set<unknown>([contracts.ListExportQuerySchema, contracts.ExportFormatSchema]);
    for (const group of Object.values(contracts)) {
      if (!group || typeof group !== 'object') continue;
      for (const def of Object.values(group as Record<string, unknown>)) {
        const request = (def as { request?: { shape?: Record<string, unknown> } } | null)?.request;
        if (request?.shape) for (const part of Object.values(request.shape)) parts.add(part);
      }
    }
    const loose = routeCatalog(controllers)
      .filter((r) => r.path.startsWith('/v1'))
      .flatMap((r) => {
        const handler = (controllers.find((c) => c.name === r.controller)!.prototype as Record<string, object>)[r.handler]!;
        const doc = Reflect.getMetadata(API_DOC, handler) as ApiDocOptions | undefined;
        return (['body', 'query'] as const).filter((p) => doc?.[p] && !parts.has(doc[p])).map((p) => `${r.method} ${r.path} ${p}`);
      });
    expect(loose).toEqual([]);
  });

  it('states what refinements enforce: non-blank trimmed strings, PATCH bodies, exclusive parameters, no NUL', () => {
    const list = doc.paths['/v1/lists/{id}'].patch.requestBody.content['application/json'].schema;
    expect(list.minProperties).toBe(1);
    expect(list.properties.name.pattern).toBe(contracts.NON_BLANK_PATTERN);
    expect(new RegExp(list.properties.name.pattern).test('  ')).toBe(false);
    expect(doc.paths['/v1/contacts'].get['x-mutually-exclusive']).toEqual(
      expect.arrayContaining([
        ['page', 'cursor'],
        ['list_id', 'segment_id'],
      ]),
    );
    const cursor = doc.paths['/v1/contacts'].get.parameters.find((p: any) => p.name === 'cursor');
    expect(cursor['x-opaque']).toBe(true);
    const field = doc.paths['/v1/custom-fields/{key}'].patch.requestBody.content['application/json'].schema;
    expect(field.properties).not.toHaveProperty('key');
    const events = doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema.properties.events.items;
    expect(new RegExp(events.pattern).test(' contact.* ')).toBe(true);
    expect(new RegExp(events.pattern).test('contact.nope')).toBe(false);
    const password = doc.paths['/v1/auth/signup'].post.requestBody.content['application/json'].schema.properties.password;
    expect(new RegExp(password.pattern).test('aaaaabbbbb')).toBe(false);
    expect(new RegExp(password.pattern).test('abcdeabcde')).toBe(true);
    const batch = doc.paths['/v1/contacts/batch'].post.requestBody.content['application/json'].schema;
    expect(batch.properties.contacts.items).toEqual({ $ref: '#/components/schemas/JsonValue' });
    expect(doc.paths['/v1/contacts/{id}'].get.parameters[0].schema.pattern).toBe(contracts.NO_NUL_PATTERN);
    expect(Object.keys(doc.paths['/v1/contacts/{id}'].get.responses)).toContain('405');
    expect(Object.keys(doc.paths['/v1/contacts/{id}'].patch.responses)).toContain('415');
  });

  it('gives a string one pattern, not two, where one states both (a generator draws from one and filters by the other)', () => {
    const patterns = (s: any): string[] => [s.pattern, ...(s.allOf ?? []).map((p: any) => p.pattern)].filter((p) => typeof p === 'string');
    const body = doc.paths['/v1/contacts'].post.requestBody.content['application/json'].schema.properties;
    // A tag: trimmed, non-blank, letters, digits, space and _ : . - / (TagSchema), as one pattern that says all of it.
    const tag = doc.paths['/v1/contacts/{id}/tags'].post.requestBody.content['application/json'].schema.properties.tags.items;
    expect(patterns(tag)).toHaveLength(1);
    for (const value of ['vip', ' a b ', 'x/y:z.1-2_3', 'Ünïcode 7']) {
      expect({ value, document: new RegExp(tag.pattern, 'u').test(value), validation: contracts.TagSchema.safeParse(value).success }).toEqual({
        value,
        document: true,
        validation: true,
      });
    }
    for (const value of ['   ', '', 'a!b', 'a\tb']) expect({ value, document: new RegExp(tag.pattern, 'u').test(value) }).toEqual({ value, document: false });
    // An external id: trimmed, non-blank, no control character (ExternalIdSchema).
    const externalId = body.external_id.anyOf[0];
    expect(patterns(externalId)).toHaveLength(1);
    for (const [value, valid] of [
      ['crm-1', true],
      [' x ', true],
      ['  ', false],
      ['a\u0085b', false],
      ['\u0000', false],
    ] as const) {
      expect({ value, document: new RegExp(externalId.pattern, 'u').test(value) }).toEqual({ value, document: valid });
    }
    // A phone (a pipe: trimmed input, E.164 output): the output's pattern alone, which excludes U+0000 already.
    expect(body.phone.anyOf[0]).toEqual({ type: 'string', pattern: '^\\+?[1-9]\\d{6,14}$' });
    const twice: string[] = [];
    const walk = (node: any, at: string): void => {
      if (!node || typeof node !== 'object') return;
      // The password's own pattern matches U+0000 (five distinct characters anywhere), so it keeps NO_NUL beside it.
      if (patterns(node).length > 1 && !at.endsWith('/password')) twice.push(at);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    };
    walk(doc, '');
    expect(twice).toEqual([]);
  });
});

describe('OpenAPI document: typed replies', () => {
  const successes = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) =>
    Object.entries(ops).flatMap(([method, op]: [string, any]) =>
      Object.entries(op.responses)
        .filter(([status, r]: [string, any]) => status.startsWith('2') && r.content?.['application/json'])
        .map(([status, r]: [string, any]) => ({ route: `${method.toUpperCase()} ${path} ${status}`, data: r.content['application/json'].schema.properties.data })),
    ),
  );

  it('gives every JSON success an exact `data` schema, from the reply schemas of libs/contracts', () => {
    const open = (s: any) => !s || Object.keys(s).length === 0 || s.$ref === '#/components/schemas/JsonValue';
    const untyped = successes.filter(({ data }) => open(data) || (data.type === 'array' && open(data.items))).map((s) => s.route);
    expect(untyped).toEqual([]);
    expect(successes.length).toBeGreaterThan(60);
  });

  it('names the resources once, as components, and refers to them', () => {
    expect(doc.paths['/v1/contacts/{id}'].get.responses['200'].content['application/json'].schema.properties.data).toEqual({ $ref: '#/components/schemas/Contact' });
    expect(doc.paths['/v1/contacts'].get.responses['200'].content['application/json'].schema.properties.data).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Contact' },
    });
    // Nested: a merge answers the primary contact.
    expect(doc.components.schemas.MergeResult.properties.contact).toEqual({ $ref: '#/components/schemas/Contact' });
    const contact = doc.components.schemas.Contact;
    expect(contact.additionalProperties).toBe(false);
    expect(contact.required).toEqual(expect.arrayContaining(['id', 'email', 'custom_fields', 'version']));
    expect(doc.components.schemas.WebhookWithSecret.required).toContain('secret');
    expect(doc.components.schemas.Webhook.properties).not.toHaveProperty('secret');
    // Every reference resolves.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    expect(refs.map((r) => r.split('/').pop()).filter((name) => !doc.components.schemas[name!])).toEqual([]);
  });
});

describe('OpenAPI document: rules that were looser than the validation', () => {
  const webhook = doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema;

  it('states the custom header names a webhook takes, and that they differ ignoring case', () => {
    const headers = webhook.properties.headers.anyOf.find((s: any) => s.type === 'object');
    const name = new RegExp(headers.propertyNames.pattern);
    for (const ok of ['X-Tenant', 'x-trace-id', "A!#$%&'*+.^_`|~-"]) expect({ ok, valid: name.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['Host', 'HOST', 'webhook-ID', 'Content-Length', 'X Bad', '', 'é']) expect({ bad, valid: name.test(bad) }).toEqual({ bad, valid: false });
    expect(headers.maxProperties).toBe(20);
    expect(webhook['x-relations']).toEqual([{ kind: 'distinct-keys-ignoring-case', field: 'headers' }]);
  });

  it('states the retry delays with the very pattern the validation uses', () => {
    const delays = webhook.properties.retry_schedule.anyOf.find((s: any) => s.type === 'array');
    expect(delays.items.pattern).toBe(contracts.RETRY_DELAY_PATTERN.source);
  });

  it('states the import options: targets, a column mapped to email, distinct targets, and the file header', () => {
    const form = doc.paths['/v1/imports'].post.requestBody.content['multipart/form-data'].schema;
    const mapping = form.properties.options.properties.mapping;
    expect(mapping.additionalProperties.anyOf).toEqual(
      expect.arrayContaining([expect.objectContaining({ enum: [...contracts.IMPORT_FIELDS] }), expect.objectContaining({ 'x-defined-by': '/v1/custom-fields' })]),
    );
    expect(mapping.not).toEqual({ additionalProperties: { not: { const: 'email' } } });
    expect(form.properties.options['x-relations']).toEqual([{ kind: 'distinct-values', field: 'mapping' }]);
    expect(form['x-relations']).toEqual([expect.objectContaining({ kind: 'csv-header-names', field: 'file', keys_of: 'options.mapping' })]);
  });

  it('states the 422 custom_field_required on exactly the operations whose body takes custom field values', () => {
    const stated = Object.entries(doc.paths).flatMap(([path, ops]: [string, any]) =>
      Object.entries(ops)
        .filter(([, op]: [string, any]) => op['x-definition-errors'])
        .map(([method, op]: [string, any]) => ({ op: `${method.toUpperCase()} ${path}`, errors: op['x-definition-errors'], documented: Object.keys(op.responses) })),
    );
    expect(stated.map((s) => s.op).sort()).toEqual(['PATCH /v1/contacts/{id}', 'POST /v1/contacts', 'PUT /v1/contacts/by-external-id/{external_id}']);
    for (const s of stated) {
      expect(s.errors).toEqual([expect.objectContaining({ status: 422, code: 'custom_field_required', 'defined-by': '/v1/custom-fields' })]);
      expect(s.documented).toContain('422');
    }
    expect(doc.components.responses.E422.description).toContain('custom_field_required');
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('custom_field_required');
  });

  it('marks tokens only the API issues as opaque, and the key revocation as a soft delete', () => {
    const accept = doc.paths['/v1/members/invitations/accept'].post.requestBody.content['application/json'].schema;
    expect(accept.properties.token['x-opaque']).toBe(true);
    const confirm = doc.paths['/v1/subscriptions/confirm'].post.requestBody.content['application/json'].schema;
    expect(confirm.properties.token['x-opaque']).toBe(true);
    expect(doc.paths['/v1/api-keys/{id}'].delete['x-soft-delete']).toBe(true);
    expect(doc.paths['/v1/contacts/{id}'].delete).not.toHaveProperty('x-soft-delete');
  });
});
