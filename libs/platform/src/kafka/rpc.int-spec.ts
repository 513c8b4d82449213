/**
 * Request/reply over real Kafka between an `RpcClient` and a Nest
 * microservice of `@RpcHandlers()`: data, pages, domain errors, unknown
 * errors (no leak) and timeouts all come back as the gateway expects them.
 */
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { qualify, requestTopic, type RequestContext, type RpcRequest } from '@sigil/contracts';
import { testContext, testKafka } from '@sigil/testing';
import { DomainError, NotFound } from '../errors/domain-errors';
import { currentContext } from '../logging/request-context';
import { rpcServerStrategy } from './kafka.config';
import { RpcClient } from './rpc-client';
import { Paged, RpcHandlers } from './rpc-handlers';
import { allSigilTopics, ensureTopics } from './topic-admin';

const Patterns = {
  greet: qualify('rpctest.greet'),
  list: qualify('rpctest.list'),
  missing: qualify('rpctest.missing'),
  crash: qualify('rpctest.crash'),
  slow: qualify('rpctest.slow'),
  context: qualify('rpctest.context'),
} as const;
const SLOW_MS = 3000;

@RpcHandlers()
class TestHandlers {
  @MessagePattern(Patterns.greet)
  greet(@Payload() req: RpcRequest<{ name: string }>) {
    return { hello: req.payload.name, tenant_id: req.ctx.tenant_id, mode: req.ctx.mode };
  }

  @MessagePattern(Patterns.list)
  list() {
    return new Paged([{ id: 'a' }, { id: 'b' }], { limit: 2, has_more: true, next_cursor: 'cur_2' });
  }

  @MessagePattern(Patterns.missing)
  async missing(@Payload() req: RpcRequest<{ id: string }>) {
    throw new NotFound('contact', req.payload.id);
  }

  @MessagePattern(Patterns.crash)
  crash(): never {
    throw new Error('column "password_hash" does not exist');
  }

  @MessagePattern(Patterns.slow)
  async slow() {
    await new Promise((r) => setTimeout(r, SLOW_MS));
    return 'too late';
  }

  @MessagePattern(Patterns.context)
  context() {
    return currentContext() ?? null;
  }
}

@Module({ controllers: [TestHandlers] })
class TestRpcModule {}

const settings = testKafka('rpc-test');
let server: INestMicroservice;
let client: RpcClient;

async function callError(pattern: string, ctx: RequestContext, payload: unknown, timeoutMs?: number): Promise<DomainError> {
  try {
    await client.call(pattern, ctx, payload, timeoutMs);
  } catch (err) {
    return err as DomainError;
  }
  throw new Error(`${pattern} answered without an error`);
}

beforeAll(async () => {
  await ensureTopics(settings, [...allSigilTopics(), requestTopic('rpctest')]);
  server = await NestFactory.createMicroservice(TestRpcModule, { ...rpcServerStrategy('rpctest', settings), logger: false });
  await server.listen();
  client = new RpcClient({ ...settings, service: 'rpc-test-client', timeoutMs: 5000 });
  await client.onModuleInit();
  // Both consumer groups start at the latest offset once they have their partitions: call until a reply comes back.
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      await client.call(Patterns.greet, testContext(), { name: 'warm-up' }, 1000);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
});

afterAll(async () => {
  await client?.onApplicationShutdown();
  await server?.close();
});

describe('Kafka request/reply', () => {
  it('returns the handler value as data, run with the caller context', async () => {
    const ctx = testContext({ mode: 'test' });
    expect(await client.call(Patterns.greet, ctx, { name: 'Ada' })).toEqual({ data: { hello: 'Ada', tenant_id: ctx.tenant_id, mode: 'test' } });
  });

  it('returns a Paged as data and page', async () => {
    expect(await client.call(Patterns.list, testContext(), {})).toEqual({
      data: [{ id: 'a' }, { id: 'b' }],
      page: { limit: 2, has_more: true, next_cursor: 'cur_2' },
    });
  });

  it('turns a DomainError thrown by the handler back into a DomainError with its status and code', async () => {
    const err = await callError(Patterns.missing, testContext(), { id: 'con_404' });
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({ status: 404, code: 'not_found', type: 'invalid_request_error', message: "No contact with id 'con_404'." });
  });

  it('turns an unknown error into internal_error without its message', async () => {
    const err = await callError(Patterns.crash, testContext(), {});
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({ status: 500, code: 'internal_error', type: 'api_error', message: 'An internal error occurred.' });
    expect(JSON.stringify(err.toBody())).not.toContain('password_hash');
  });

  it('gives up with 504 upstream_timeout when no reply comes in time, and keeps working after the late reply', async () => {
    const err = await callError(Patterns.slow, testContext(), {}, 1000);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({
      status: 504,
      code: 'upstream_timeout',
      type: 'api_error',
      message: 'The rpctest service did not answer in time.',
    });
    // The late reply arrives after the caller gave up; it must not be taken for another call's answer.
    await new Promise((r) => setTimeout(r, SLOW_MS));
    expect(await client.call(Patterns.greet, testContext(), { name: 'after' })).toMatchObject({ data: { hello: 'after' } });
  });

  it('carries the request id and trace id to the handler', async () => {
    const ctx = testContext({ request_id: 'req_rpc_trace', trace_id: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(await client.call(Patterns.context, ctx, {})).toEqual({
      data: { request_id: 'req_rpc_trace', trace_id: ctx.trace_id, tenant_id: ctx.tenant_id },
    });
  });

  it('answers concurrent calls each with its own reply', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const replies = await Promise.all(names.map((name) => client.call<{ hello: string }>(Patterns.greet, testContext(), { name })));
    expect(replies.map((r) => r.data.hello)).toEqual(names);
  });
});
