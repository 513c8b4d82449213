/** The table of @HandleRpc methods the request/reply server calls directly: what is in it, what is left to Nest; the read-only patterns. */
import 'reflect-metadata';
import { UseGuards, type CanActivate } from '@nestjs/common';
import type { ModulesContainer } from '@nestjs/core';
import { z } from 'zod';
import { defineRpc, replyOf, type RequestContext } from '@sigil/contracts';
import { DomainError } from '../errors/domain-errors';
import { HandleRpc, type RpcCall } from './handle-rpc';
import { directRpcHandlers, readOnlyRpcPatterns } from './rpc-dispatch';
import { HandlerOutcome, RpcHandlers } from './rpc-handlers';

const get = defineRpc('test.get', z.object({ params: z.object({ id: z.string().min(1) }) }), replyOf<{ id: string; by: string }>());
const guarded = defineRpc('test.guarded', z.object({}), replyOf<null>());
const scoped = defineRpc('test.scoped', z.object({}), replyOf<null>());

class AlwaysNo implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@RpcHandlers()
class Handlers {
  constructor(readonly name: string) {}

  @HandleRpc(get)
  get({ ctx, input }: RpcCall<typeof get>) {
    return { id: input.params.id, by: `${this.name}:${ctx.tenant_id}` };
  }

  // Above @HandleRpc, as Nest needs it: the guard's metadata is then on the method Nest registers.
  @UseGuards(AlwaysNo)
  @HandleRpc(guarded)
  guarded() {
    return null;
  }
}

@RpcHandlers()
class RequestScoped {
  @HandleRpc(scoped, { readOnly: true })
  scoped() {
    return null;
  }
}

const read = defineRpc('test.read', z.object({}), replyOf<null>());

@RpcHandlers()
class Reads {
  @HandleRpc(read, { readOnly: true })
  read() {
    return null;
  }
}

/** A ModulesContainer of one module with these controllers (instance, static or not). */
function modules(...controllers: Array<{ instance: object; isStatic: boolean }>): ModulesContainer {
  const wrappers = new Map(controllers.map((c, i) => [i, { instance: c.instance, isDependencyTreeStatic: () => c.isStatic }]));
  return new Map([['module', { controllers: wrappers }]]) as unknown as ModulesContainer;
}

const ctx: RequestContext = { tenant_id: 'ten_1', mode: 'live', request_id: 'req_1' };

describe('directRpcHandlers', () => {
  const table = directRpcHandlers(modules({ instance: new Handlers('h1'), isStatic: true }, { instance: new RequestScoped(), isStatic: false }));

  it('calls a @HandleRpc method on its instance with the context and the validated request, its value as it returns it', () => {
    expect(table.get('test.get')!({ ctx, payload: { params: { id: 'con_1' } } })).toEqual({ id: 'con_1', by: 'h1:ten_1' });
  });

  it('throws the validation failure (serveRpc replies it as a 400), not a HandlerOutcome', () => {
    let thrown: unknown;
    try {
      table.get('test.get')!({ ctx, payload: { params: { id: '' } } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).status).toBe(400);
  });

  it('leaves a method with a Nest guard, and a request-scoped controller, to Nest', () => {
    expect([...table.keys()]).toEqual(['test.get']);
  });

  it('leaves the Nest handler as it was (what Nest calls still gets a HandlerOutcome)', async () => {
    const outcome = await (Handlers.prototype.get as unknown as (r: unknown) => Promise<HandlerOutcome>).call(new Handlers('h2'), {
      ctx,
      payload: { params: { id: 'x' } },
    });
    expect(outcome).toEqual(new HandlerOutcome(false, { id: 'x', by: 'h2:ten_1' }));
  });
});

describe('readOnlyRpcPatterns', () => {
  it('lists the patterns whose handler is marked readOnly, called directly or not, and no other', () => {
    const all = modules({ instance: new Handlers('h1'), isStatic: true }, { instance: new RequestScoped(), isStatic: false }, { instance: new Reads(), isStatic: true });
    expect([...readOnlyRpcPatterns(all)].sort()).toEqual(['test.read', 'test.scoped']);
    expect([...directRpcHandlers(all).keys()].sort()).toEqual(['test.get', 'test.read']);
  });
});
