/**
 * The envelope hook wraps what a /v1 route returned and nothing else; the
 * idempotency interceptor sits on POST handlers only (no global interceptor).
 */
import 'reflect-metadata';
import { Controller, Get, Post } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import Fastify from 'fastify';
import { applyIdempotencyToPosts, IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { installEnvelopeHook, JsonText } from './envelope';
import { errorEnvelope } from './error-envelope';
import { DomainError } from '@sigil/platform';

describe('installEnvelopeHook', () => {
  const app = Fastify({ genReqId: () => 'req_1' });
  installEnvelopeHook(app);
  app.get('/v1/things', async () => ({ data: [1], page: { has_more: true, next_cursor: 'c2', prev_cursor: null } }));
  app.get('/v1/thing', async () => ({ data: { id: 't' } }));
  app.get('/v1/text', async () => ({ data: new JsonText(JSON.stringify({ id: 't', note: 'a "quoted" é' })) }));
  app.get('/v1/own', async (_req, reply) =>
    reply
      .status(404)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorEnvelope(new DomainError(404, 'not_found', 'No.'), 'req_1')),
  );
  app.delete('/v1/thing', async (_req, reply) => reply.status(204).send());
  app.get('/health/ready', async () => ({ status: 'up' }));
  afterAll(() => app.close());

  it('wraps a route result with meta and links, pages included', async () => {
    const one = await app.inject({ url: '/v1/thing' });
    expect(one.body).toBe('{"data":{"id":"t"},"meta":{"request_id":"req_1"},"links":{"self":"/v1/thing"}}');
    const list = await app.inject({ url: '/v1/things?limit=1' });
    expect(list.json()).toEqual({
      data: [1],
      meta: { request_id: 'req_1', has_more: true, next_cursor: 'c2', prev_cursor: null },
      links: { self: '/v1/things?limit=1', next: '/v1/things?limit=1&cursor=c2' },
    });
  });

  it('puts data given as JSON text into the envelope as it is, a JSON reply like any other', async () => {
    const text = await app.inject({ url: '/v1/text?x=1' });
    expect(text.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(text.body).toBe('{"data":{"id":"t","note":"a \\"quoted\\" é"},"meta":{"request_id":"req_1"},"links":{"self":"/v1/text?x=1"}}');
    expect(text.json()).toEqual({ data: { id: 't', note: 'a "quoted" é' }, meta: { request_id: 'req_1' }, links: { self: '/v1/text?x=1' } });
  });

  it('leaves error envelopes, empty replies and non-/v1 paths alone', async () => {
    expect((await app.inject({ url: '/v1/own' })).json()).toEqual({ error: expect.objectContaining({ code: 'not_found', request_id: 'req_1' }) });
    const empty = await app.inject({ method: 'DELETE', url: '/v1/thing' });
    expect([empty.statusCode, empty.body]).toEqual([204, '']);
    expect((await app.inject({ url: '/health/ready' })).body).toBe('{"status":"up"}');
  });
});

describe('applyIdempotencyToPosts', () => {
  @Controller('v1/things')
  class ThingsController {
    @Get(':id')
    get(): void {}

    @Post()
    create(): void {}
  }

  it('puts the interceptor on POST handlers only, once', () => {
    applyIdempotencyToPosts([ThingsController]);
    applyIdempotencyToPosts([ThingsController]);
    const proto = ThingsController.prototype;
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, proto.create)).toEqual([IdempotencyInterceptor]);
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, proto.get)).toBeUndefined();
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, ThingsController)).toBeUndefined();
  });
});
