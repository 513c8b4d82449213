/**
 * IdempotencyInterceptor with a stand-in store (the store has its own test on
 * real Redis): a replay is answered as a value — the route never runs and
 * nothing is thrown — a claimed key travels to the service in the request
 * context, and requests without a key, without a caller or not POSTs pass
 * untouched. Also: applyIdempotencyToPosts puts it on POST handlers only, once.
 * And what a request with a key is compared on (requestFingerprint): a
 * streamed multipart upload, whose body the route reads only later, is matched
 * on its media type and length, so a request without that body does not
 * replay the upload's answer (the fuzz found a bodiless POST /v1/imports
 * answered 202 with another request's job).
 */
import { Controller, Get, Post, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { lastValueFrom, of } from 'rxjs';
import type { RequestContext } from '@sigil/contracts';
import { DomainError } from '@sigil/platform';
import type { FastifyRequest } from 'fastify';
import { applyIdempotencyToPosts, IdempotencyInterceptor, requestFingerprint } from './idempotency.interceptor';
import type { ClaimResult, IdempotencyStore, StoredResponse } from './idempotency.store';

const ctx: RequestContext = { tenant_id: 'ten_1', mode: 'live', request_id: 'req_1' };

function setup(outcome: ClaimResult | DomainError, req: Record<string, unknown> = {}) {
  const claims: Array<[RequestContext, string, string]> = [];
  const store = {
    claim: async (c: RequestContext, key: string, fingerprint: string) => {
      claims.push([c, key, fingerprint]);
      if (outcome instanceof DomainError) throw outcome;
      return outcome;
    },
  } as unknown as IdempotencyStore;
  const request: Record<string, unknown> = {
    method: 'POST',
    url: '/v1/contacts',
    body: { email: 'a@example.com' },
    headers: { 'idempotency-key': 'k-1' },
    sigilContext: { ...ctx },
    ...req,
  };
  const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  let routeRan = 0;
  const next: CallHandler = { handle: () => (routeRan++, of({ data: 'from the route' })) };
  const run = async () => lastValueFrom(await new IdempotencyInterceptor(store).intercept(context, next));
  return { run, claims, request, routeRan: () => routeRan };
}

const stored: StoredResponse = { state: 'done', fingerprint: 'f', status: 201, content_type: 'application/json', body: '{"data":{"id":"con_1"}}' };

describe('IdempotencyInterceptor', () => {
  it('answers a replay with the stored response as a value: the route does not run, nothing is thrown', async () => {
    const { run, request, routeRan } = setup({ kind: 'replay', stored });
    await expect(run()).resolves.toBe(stored.body);
    expect(routeRan()).toBe(0);
    expect(request['idempotentReplay']).toBe(stored);
    expect(request['idempotencyClaim']).toBeUndefined();
  });

  it('claims the key with a fingerprint of method, URL and body, runs the route, and hands the key to the service', async () => {
    const claim = { redisKey: 'idem:x', keyHash: 'a'.repeat(64), fingerprint: 'fp' };
    const { run, claims, request, routeRan } = setup({ kind: 'claimed', claim });
    await expect(run()).resolves.toEqual({ data: 'from the route' });
    expect(routeRan()).toBe(1);
    expect(claims).toHaveLength(1);
    const [, key, fingerprint] = claims[0]!;
    expect(key).toBe('k-1');
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(request['idempotencyClaim']).toBe(claim);
    expect((request['sigilContext'] as RequestContext).idempotency).toEqual({ key: claim.keyHash, fingerprint });
  });

  it('a different body is a different fingerprint', async () => {
    const claim = { redisKey: 'idem:x', keyHash: 'h', fingerprint: 'fp' };
    const a = setup({ kind: 'claimed', claim });
    const b = setup({ kind: 'claimed', claim }, { body: { email: 'b@example.com' } });
    await a.run();
    await b.run();
    expect(a.claims[0]![2]).not.toBe(b.claims[0]![2]);
  });

  it("lets the store's refusals (409 in flight, 422 reuse) through as errors, before the route runs", async () => {
    const { run, routeRan } = setup(new DomainError(422, 'idempotency_key_reuse', 'reused'));
    await expect(run()).rejects.toMatchObject({ status: 422, code: 'idempotency_key_reuse' });
    expect(routeRan()).toBe(0);
  });

  it.each([
    ['no Idempotency-Key', { headers: {} }],
    ['no authenticated caller', { sigilContext: undefined }],
    ['a GET', { method: 'GET' }],
  ])('passes a request with %s untouched', async (_, req) => {
    const { run, claims, routeRan } = setup({ kind: 'replay', stored }, req);
    await expect(run()).resolves.toEqual({ data: 'from the route' });
    expect(claims).toEqual([]);
    expect(routeRan()).toBe(1);
  });
});

describe('applyIdempotencyToPosts', () => {
  @Controller('things')
  class ThingsController {
    @Post()
    create(): void {}

    @Get()
    list(): void {}
  }

  it('puts the interceptor on POST handlers only, once however often it is applied', () => {
    applyIdempotencyToPosts([ThingsController]);
    applyIdempotencyToPosts([ThingsController]);
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, ThingsController.prototype.create)).toEqual([IdempotencyInterceptor]);
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, ThingsController.prototype.list)).toBeUndefined();
  });
});

type Req = Pick<FastifyRequest, 'method' | 'url' | 'body' | 'headers'>;
const upload = (boundary: string, length: string): Req => ({
  method: 'POST',
  url: '/v1/imports',
  body: undefined,
  headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length },
});

describe('requestFingerprint', () => {
  it('tells a streamed upload from the same POST without a body', () => {
    expect(requestFingerprint(upload('a1', '420'))).not.toBe(requestFingerprint({ method: 'POST', url: '/v1/imports', body: undefined, headers: {} }));
  });

  it('matches a retried upload whatever its boundary, and not one of another length', () => {
    expect(requestFingerprint(upload('a1', '420'))).toBe(requestFingerprint(upload('b2', '420')));
    expect(requestFingerprint(upload('a1', '420'))).not.toBe(requestFingerprint(upload('a1', '421')));
  });

  it('compares a parsed JSON body by its content, as before', () => {
    const json = (body: unknown): Req => ({ method: 'POST', url: '/v1/contacts', body, headers: { 'content-type': 'application/json', 'content-length': '20' } });
    expect(requestFingerprint(json({ email: 'a@b.co' }))).toBe(requestFingerprint(json({ email: 'a@b.co' })));
    expect(requestFingerprint(json({ email: 'a@b.co' }))).not.toBe(requestFingerprint(json({ email: 'c@b.co' })));
  });
});
