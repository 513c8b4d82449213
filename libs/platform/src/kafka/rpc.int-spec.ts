/**
 * Request/reply over real Kafka between an `RpcClient` and a Nest
 * microservice of `@RpcHandlers()`: data, pages, domain errors, unknown
 * errors (no leak) and timeouts all come back as the gateway expects them;
 * a read-only handler's requests cost no OffsetCommit each.
 */
import { Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { defineRpc, qualify, replyOf, requestTopic, type RequestContext, type RpcDefinition, type RpcRequestOf } from '@sigil/contracts';
import { Kafka, type Consumer } from 'kafkajs';
import { eventually, testContext, testKafka } from '@sigil/testing';
import { DomainError, NotFound } from '../errors/domain-errors';
import { currentContext } from '../logging/request-context';
import { HandleRpc, type RpcCall } from './handle-rpc';
import { RpcDispatch } from './rpc-dispatch';
import { kafkaClientConfig, rpcServerStrategy } from './kafka.config';
import { RpcClient } from './rpc-client';
import { Paged, RpcHandlers } from './rpc-handlers';
import { allSigilTopics, ensureTopics } from './topic-admin';

const none = z.object({});
const Rpc = {
  greet: defineRpc(
    qualify('rpctest.greet'),
    z.object({ body: z.object({ name: z.string().min(1).max(20) }).strict() }),
    replyOf<{ hello: string; tenant_id: string; mode: string }>(),
  ),
  list: defineRpc(qualify('rpctest.list'), none, replyOf<{ id: string }[]>()),
  missing: defineRpc(qualify('rpctest.missing'), z.object({ params: z.object({ id: z.string() }) }), replyOf<null>()),
  crash: defineRpc(qualify('rpctest.crash'), none, replyOf<null>()),
  slow: defineRpc(qualify('rpctest.slow'), none, replyOf<string>()),
  context: defineRpc(qualify('rpctest.context'), none, replyOf<unknown>()),
  read: defineRpc(qualify('rpctest.read'), none, replyOf<string>()),
  /** No handler serves it. */
  unserved: defineRpc(qualify('rpctest.unserved'), none, replyOf<null>()),
} as const;
const SLOW_MS = 3000;

@RpcHandlers()
class TestHandlers {
  @HandleRpc(Rpc.greet)
  greet({ ctx, input }: RpcCall<typeof Rpc.greet>) {
    return { hello: input.body.name, tenant_id: ctx.tenant_id, mode: ctx.mode };
  }

  @HandleRpc(Rpc.list)
  list() {
    return new Paged([{ id: 'a' }, { id: 'b' }], { limit: 2, has_more: true, next_cursor: 'cur_2' });
  }

  @HandleRpc(Rpc.missing)
  async missing({ input }: RpcCall<typeof Rpc.missing>): Promise<null> {
    throw new NotFound('contact', input.params.id);
  }

  @HandleRpc(Rpc.crash)
  crash(): never {
    throw new Error('column "password_hash" does not exist');
  }

  @HandleRpc(Rpc.slow)
  async slow() {
    await new Promise((r) => setTimeout(r, SLOW_MS));
    return 'too late';
  }

  @HandleRpc(Rpc.context)
  context() {
    return currentContext() ?? null;
  }

  @HandleRpc(Rpc.read, { readOnly: true })
  read() {
    return 'read';
  }
}

// RpcDispatch as in every service (ServicePlatformModule): the server calls the handlers directly.
@Module({ controllers: [TestHandlers], providers: [RpcDispatch] })
class TestRpcModule {}

const settings = testKafka('rpc-test');
let server: INestMicroservice;
let client: RpcClient;

async function callError<D extends RpcDefinition>(def: D, ctx: RequestContext, payload: RpcRequestOf<D>, timeoutMs?: number): Promise<DomainError> {
  try {
    await client.call(def, ctx, payload, timeoutMs);
  } catch (err) {
    return err as DomainError;
  }
  throw new Error(`${def.pattern} answered without an error`);
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
      await client.call(Rpc.greet, testContext(), { body: { name: 'warm-up' } }, 1000);
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
    expect(await client.call(Rpc.greet, ctx, { body: { name: 'Ada' } })).toEqual({ data: { hello: 'Ada', tenant_id: ctx.tenant_id, mode: 'test' } });
  });

  it('returns a Paged as data and page', async () => {
    expect(await client.call(Rpc.list, testContext(), {})).toEqual({
      data: [{ id: 'a' }, { id: 'b' }],
      page: { limit: 2, has_more: true, next_cursor: 'cur_2' },
    });
  });

  it('validates the request against its definition before the handler runs: 400 with the field as the client wrote it', async () => {
    const err = await callError(Rpc.greet, testContext(), { body: { name: '', extra: 1 } as unknown as { name: string } });
    expect(err.toBody()).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: expect.arrayContaining([expect.objectContaining({ field: 'name' }), expect.objectContaining({ field: 'extra', code: 'unknown_field' })]),
    });
  });

  it('turns a DomainError thrown by the handler back into a DomainError with its status and code', async () => {
    const err = await callError(Rpc.missing, testContext(), { params: { id: 'con_404' } });
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({ status: 404, code: 'not_found', type: 'invalid_request_error', message: "No contact with id 'con_404'." });
  });

  it('turns an unknown error into internal_error without its message', async () => {
    const err = await callError(Rpc.crash, testContext(), {});
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({ status: 500, code: 'internal_error', type: 'api_error', message: 'An internal error occurred.' });
    expect(JSON.stringify(err.toBody())).not.toContain('password_hash');
  });

  it('gives up with 504 upstream_timeout when no reply comes in time, and keeps working after the late reply', async () => {
    const err = await callError(Rpc.slow, testContext(), {}, 1000);
    expect(err).toBeInstanceOf(DomainError);
    expect(err.toBody()).toEqual({
      status: 504,
      code: 'upstream_timeout',
      type: 'api_error',
      message: 'The rpctest service did not answer in time.',
    });
    // The late reply arrives after the caller gave up; it must not be taken for another call's answer.
    await new Promise((r) => setTimeout(r, SLOW_MS));
    expect(await client.call(Rpc.greet, testContext(), { body: { name: 'after' } })).toMatchObject({ data: { hello: 'after' } });
  });

  it('carries the request id, trace id, principal and client to the handler (the outbox stamps them on events)', async () => {
    const ctx = testContext({
      request_id: 'req_rpc_trace',
      trace_id: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      client: { ip: '192.0.2.4', user_agent: 'ua' },
    });
    // No span is recorded here: the handler's own traceparent continues the caller's trace with a span id of its own.
    expect(await client.call(Rpc.context, ctx, {})).toEqual({
      data: {
        request_id: 'req_rpc_trace',
        trace_id: expect.stringMatching(/^00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-00$/),
        tenant_id: ctx.tenant_id,
        principal: ctx.principal,
        client: { ip: '192.0.2.4', user_agent: 'ua' },
      },
    });
  });

  it("fails a call the service has no handler for with the server's error, not a timeout", async () => {
    await expect(client.call(Rpc.unserved, testContext(), {}, 10000)).rejects.toEqual(expect.stringMatching(/no matching message handler/));
  });

  it('answers concurrent calls each with its own reply', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `n${i}`);
    const replies = await Promise.all(names.map((name) => client.call(Rpc.greet, testContext(), { body: { name } })));
    expect(replies.map((r) => r.data.hello)).toEqual(names);
  });

  it("commits a write's offset per request, a read-only handler's lazily, and the group's position still reaches the end", async () => {
    const { consumer, groupId } = (server as unknown as { serverInstance: { consumer: Consumer; groupId: string } }).serverInstance;
    const commits = jest.spyOn(consumer, 'commitOffsets');
    try {
      const oneByOne = async (def: typeof Rpc.greet | typeof Rpc.read) => {
        commits.mockClear();
        for (let i = 0; i < 6; i++) {
          if (def === Rpc.read) await client.call(Rpc.read, testContext(), {});
          else await client.call(Rpc.greet, testContext(), { body: { name: `w${i}` } });
        }
        return commits.mock.calls.length;
      };
      // Six writes one at a time: each its own commit (the next request comes after the reply).
      expect(await oneByOne(Rpc.greet)).toBeGreaterThanOrEqual(5);
      // Six reads one at a time: none of their own; at most the interval's (500 ms).
      expect(await oneByOne(Rpc.read)).toBeLessThanOrEqual(2);
      // Within the interval the reads' offsets are committed: the group has read the topic to its end.
      const admin = new Kafka(kafkaClientConfig({ ...settings, clientId: 'rpc-test-admin' })).admin();
      await admin.connect();
      try {
        const topic = requestTopic('rpctest');
        await eventually(async () => {
          const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
          const at = new Map(committed[0]!.partitions.map((p) => [p.partition, p.offset]));
          return ends.every((e) => at.get(e.partition) === e.offset || (e.offset === '0' && at.get(e.partition) === '-1'));
        });
      } finally {
        await admin.disconnect();
      }
    } finally {
      commits.mockRestore();
    }
  });
});
