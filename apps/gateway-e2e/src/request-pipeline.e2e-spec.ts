/**
 * The gateway's request pipeline as a client meets it (SPEC §10, issue #21):
 * 405 with `Allow` for an undeclared method (404 only for an unknown path),
 * 415 for any body that is not JSON (curl's default form encoding first),
 * 401 when any presented credential is invalid, and seed 002's session JWT +
 * `X-API-Key` combination accepted only for one tenant.
 */
import { ApiClient, createTenant, TestStack, type TestTenant } from '@sigil/testing';

describe('gateway request pipeline', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let other: TestTenant;
  const bogusKey = 'sg_live_0000000000000000000000000000000000000000AAAAAA';

  beforeAll(async () => {
    stack = await TestStack.start({ services: ['keys', 'gateway'] });
    [tenant, other] = await Promise.all([createTenant(stack.gatewayUrl), createTenant(stack.gatewayUrl)]);
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('methods', () => {
    it('answers 405 method_not_allowed with Allow for a method the path does not declare', async () => {
      const put = await tenant.api.request('PUT', '/v1/contacts/con_01JD0000000000000000000000', { email: 'a@b.co' });
      expect(put.status).toBe(405);
      expect(put.body.error).toMatchObject({ status: 405, code: 'method_not_allowed' });
      expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
      const del = await tenant.api.delete('/v1/contacts');
      expect(del.status).toBe(405);
      expect(del.headers.get('allow')).toBe('GET, HEAD, POST');
      const anonymous = await new ApiClient(stack.gatewayUrl).request('PATCH', '/v1/me', {});
      expect(anonymous.status).toBe(405);
      expect(anonymous.headers.get('allow')).toBe('GET, HEAD');
    });

    it('lets a static path answer for itself, and refuses a body-less QUERY with 405 too', async () => {
      // `/v1/contacts/batch` also matches `/v1/contacts/{id}`: its Allow names only what the document lists for it.
      for (const method of ['DELETE', 'GET', 'PUT', 'OPTIONS']) {
        const res = await tenant.api.request(method, '/v1/contacts/batch');
        expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({ method, status: 405, allow: 'POST' });
      }
      const preview = await tenant.api.request('PATCH', '/v1/segments/preview', {});
      expect(preview.headers.get('allow')).toBe('POST');
      const query = await tenant.api.request('QUERY', '/v1/contacts/con_01JD0000000000000000000000');
      expect(query.status).toBe(405);
      expect(query.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
    });

    it('keeps 404 not_found for an unknown path, whatever the method', async () => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await tenant.api.request(method, '/v1/no-such-thing/x');
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(res.headers.get('allow')).toBeNull();
      }
    });
  });

  describe('content types', () => {
    it("answers curl's default form encoding with 415 unsupported_media_type naming application/json", async () => {
      const res = await tenant.api.request('POST', '/v1/contacts', '{"email":"a@b.co"}', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.status).toBe(415);
      expect(res.body.error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
      expect(res.body.error.message).toContain('application/json');
    });

    it('answers 415 for other non-JSON types too, on public routes as well', async () => {
      for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream']) {
        const res = await new ApiClient(stack.gatewayUrl).request('POST', '/v1/auth/login', 'x', { 'content-type': type });
        expect({ type, status: res.status, code: res.body?.error?.code }).toEqual({ type, status: 415, code: 'unsupported_media_type' });
      }
    });
  });

  describe('credentials', () => {
    it('refuses a valid Authorization beside an invalid X-API-Key, and the reverse', async () => {
      const validAuthBadHeader = await tenant.api.get('/v1/me', { 'x-api-key': bogusKey });
      expect(validAuthBadHeader.status).toBe(401);
      expect(validAuthBadHeader.body.error.code).toBe('invalid_api_key');
      // An empty X-API-Key is presented too (what a fuzzer's generated credential looks like): not ignored.
      const emptyHeader = await tenant.api.get('/v1/me', { 'x-api-key': '' });
      expect(emptyHeader.status).toBe(401);
      expect(emptyHeader.body.error.code).toBe('invalid_api_key');
      const badAuthValidHeader = await new ApiClient(stack.gatewayUrl).get('/v1/me', { authorization: `Bearer ${bogusKey}`, 'x-api-key': tenant.apiKey });
      expect(badAuthValidHeader.status).toBe(401);
      const badTokenValidHeader = await new ApiClient(stack.gatewayUrl).get('/v1/me', { authorization: 'Bearer not.a.jwt', 'x-api-key': tenant.apiKey });
      expect(badTokenValidHeader.status).toBe(401);
      expect(badTokenValidHeader.body.error.code).toBe('invalid_token');
      const validTokenBadHeader = await tenant.session.get('/v1/me', { 'x-api-key': bogusKey });
      expect(validTokenBadHeader.status).toBe(401);
      expect(validTokenBadHeader.body.error.code).toBe('invalid_api_key');
    });

    it('refuses two different valid API keys in the two headers', async () => {
      const second = await tenant.createKey({ name: 'second' });
      const res = await tenant.api.get('/v1/me', { 'x-api-key': second.key });
      expect(res.status).toBe(401);
      const same = await tenant.api.get('/v1/me', { 'x-api-key': tenant.apiKey });
      expect(same.status).toBe(200);
    });

    it("accepts seed 002's session JWT + X-API-Key of one tenant, acting as the key", async () => {
      const readOnly = await tenant.createKey({ name: 'read only', scopes: ['contacts:read'] });
      const res = await tenant.session.get('/v1/me', { 'x-api-key': readOnly.key });
      expect(res.status).toBe(200);
      expect(res.body.data.credential).toMatchObject({ type: 'api_key', id: readOnly.id, scopes: ['contacts:read'] });
      // The key's scopes bound the request, not the session's.
      const write = await tenant.session.post('/v1/api-keys', { name: 'x', environment: 'live', scopes: ['*'] }, { 'x-api-key': readOnly.key });
      expect(write.status).toBe(403);
      expect(write.body.error.code).toBe('insufficient_scope');
    });

    it('refuses a session JWT + X-API-Key of different tenants', async () => {
      const res = await tenant.session.get('/v1/me', { 'x-api-key': other.apiKey });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
    });
  });
});
