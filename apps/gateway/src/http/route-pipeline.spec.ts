/**
 * The compiled route pipeline: every gateway route compiles, a route runs
 * Nest's steps in Nest's order with its arguments read from the request, a
 * completed duplicate skips the method, errors reach the error filter, and a
 * decorator the compiler does not know stops the start.
 */
import 'reflect-metadata';
import { Body, Controller, Get, Header, HttpCode, Param, ParseIntPipe, Post, Query, Res, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '@sigil/contracts';
import { DomainError } from '@sigil/platform';
import { GatewayAppModule } from '../app.module';
import { Ctx } from '../auth/request-context';
import type { RoutePolicy } from '../auth/route-policy';
import { RequireScope } from '../auth/scopes.decorator';
import { GatewayConfigSchema } from '../config';
import { applyIdempotencyToPosts } from '../idempotency/idempotency.interceptor';
import type { StoredResponse } from '../idempotency/idempotency.store';
import { compileRoute, controllerRoutes, type RoutePipelineDeps } from './route-pipeline';

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Controller('v1/things')
class ThingsController {
  calls: unknown[][] = [];

  @Get(':id')
  @RequireScope('contacts:read')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string, @Query() query: unknown): { data: unknown } {
    this.calls.push([ctx.tenant_id, id, query]);
    return { data: { id } };
  }

  @Post()
  @RequireScope('contacts:write')
  @Header('x-thing', 'yes')
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ data: unknown }> {
    this.calls.push(['create', body, typeof reply.status]);
    return { data: body };
  }

  @Post('fail')
  @RequireScope('contacts:write')
  @HttpCode(200)
  fail(): never {
    throw new DomainError(409, 'conflict', 'no');
  }

  @Get('raw/:n')
  @RequireScope('contacts:read')
  raw(@Res() reply: FastifyReply): void {
    void reply.send('raw');
  }

  @Get('denied/:id')
  @RequireScope('contacts:read')
  @UseGuards(DenyGuard)
  denied(): string {
    return 'never';
  }
}
applyIdempotencyToPosts([ThingsController]);

@Controller('v1/piped')
class PipedController {
  @Get(':n')
  @RequireScope('contacts:read')
  get(@Param('n', ParseIntPipe) n: number): number {
    return n;
  }
}

function harness(options: { replay?: StoredResponse; admitFails?: boolean } = {}) {
  const steps: string[] = [];
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const deps: RoutePipelineDeps = {
    gate: {
      admit: async (req: FastifyRequest, _reply: FastifyReply, route: RoutePolicy) => {
        steps.push(`admit ${route.kind === 'authenticated' ? route.required : 'public'}`);
        if (options.admitFails) throw new DomainError(401, 'invalid_api_key', 'no');
        req.sigilContext = { tenant_id: 'ten_1', mode: 'live', request_id: req.id };
      },
    },
    policies: { of: () => ({ kind: 'authenticated', required: 'contacts:read' }) },
    idempotency: {
      claim: async () => {
        steps.push('claim');
        return options.replay;
      },
    },
    errors: {
      catch: (err: unknown) => {
        steps.push(`error ${(err as { status?: number }).status}`);
        settle();
      },
    },
    guard: (type: Type<CanActivate>) => (type === DenyGuard ? new DenyGuard() : { canActivate: () => true }),
  };
  const headers: Record<string, string> = {};
  let status = 0;
  const reply = {
    status: (s: number) => {
      steps.push(`status ${s}`);
      status = s;
      return reply;
    },
    header: (name: string, value: string) => {
      headers[name] = value;
      return reply;
    },
    send: (payload: unknown) => {
      steps.push(`send ${JSON.stringify(payload)}`);
      settle();
      return reply;
    },
    callNotFound: () => {
      steps.push('not found');
      settle();
    },
  };
  const request = (params: Record<string, string>, extra: Partial<FastifyRequest> = {}) =>
    ({ id: 'req_1', method: 'GET', params, query: { limit: '1' }, body: undefined, headers: {}, ...extra }) as unknown as FastifyRequest;
  return { deps, steps, settled, reply: reply as unknown as FastifyReply, request, headers, status: () => status };
}

describe('route pipeline', () => {
  it('compiles every route of the gateway, at the URLs the route catalogue documents', () => {
    const controllers = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'x', partitions: 1 })
      .controllers as Type<unknown>[];
    const { deps } = harness();
    const routes = controllers.flatMap((c) => controllerRoutes(c).map((r) => ({ ...r, controller: c })));
    expect(routes.length).toBeGreaterThan(50);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /v1/me', 'GET /v1/contacts/:id', 'POST /v1/contacts', 'GET /health/ready', 'GET /docs/assets/:file']),
    );
    for (const r of routes) expect(() => compileRoute(deps, Object.create(r.controller.prototype) as object, r.controller, r.name)).not.toThrow();
  });

  it('admits, sets the status, runs the method with its arguments from the request and sends what it returned', async () => {
    const h = harness();
    const things = new ThingsController();
    compileRoute(h.deps, things, ThingsController, 'get')(h.request({ id: 'thg_1' }), h.reply);
    await h.settled;
    expect(h.steps).toEqual(['admit contacts:read', 'status 200', 'send {"data":{"id":"thg_1"}}']);
    expect(things.calls).toEqual([['ten_1', 'thg_1', { limit: '1' }]]);
  });

  it('on a POST: 201, the declared headers, the idempotency claim, then the method (a passthrough @Res still sends the result)', async () => {
    const h = harness();
    const things = new ThingsController();
    compileRoute(h.deps, things, ThingsController, 'create')(h.request({}, { method: 'POST', body: { a: 1 } }), h.reply);
    await h.settled;
    expect(h.steps).toEqual(['admit contacts:read', 'status 201', 'claim', 'send {"data":{"a":1}}']);
    expect(h.headers['x-thing']).toBe('yes');
    expect(things.calls).toEqual([['create', { a: 1 }, 'function']]);
  });

  it('answers a completed duplicate with its stored body without running the method', async () => {
    const h = harness({ replay: { state: 'done', fingerprint: 'f', status: 201, content_type: 'application/json', body: '{"stored":true}' } });
    const things = new ThingsController();
    compileRoute(h.deps, things, ThingsController, 'create')(h.request({}, { method: 'POST', body: { a: 1 } }), h.reply);
    await h.settled;
    expect(h.steps).toEqual(['admit contacts:read', 'status 201', 'claim', 'send "{\\"stored\\":true}"']);
    expect(things.calls).toEqual([]);
  });

  it('hands a refusal or a failing method to the error filter, and a denying route guard is a 403', async () => {
    for (const [name, admitFails, expected] of [
      ['get', true, ['admit contacts:read', 'error 401']],
      ['fail', false, ['admit contacts:read', 'status 200', 'claim', 'error 409']],
      ['denied', false, ['admit contacts:read', 'error 403']],
    ] as const) {
      const h = harness({ admitFails });
      compileRoute(h.deps, new ThingsController(), ThingsController, name)(h.request({ id: 'x' }), h.reply);
      await h.settled;
      expect(h.steps).toEqual(expected);
    }
  });

  it('leaves the answer to a method that takes @Res() itself, and sends an empty route parameter to the not-found handler', async () => {
    const raw = harness();
    compileRoute(raw.deps, new ThingsController(), ThingsController, 'raw')(raw.request({ n: '1' }), raw.reply);
    await raw.settled;
    expect(raw.steps).toEqual(['admit contacts:read', 'status 200', 'send "raw"']);
    const empty = harness();
    compileRoute(empty.deps, new ThingsController(), ThingsController, 'get')(empty.request({ id: '' }), empty.reply);
    await empty.settled;
    expect(empty.steps).toEqual(['not found']);
  });

  it('refuses to compile a decorator it does not implement (a pipe)', () => {
    expect(() => compileRoute(harness().deps, new PipedController(), PipedController, 'get')).toThrow(/pipes are not supported/);
  });
});
