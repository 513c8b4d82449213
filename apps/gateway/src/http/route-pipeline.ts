/**
 * Every gateway route is served by one handler compiled at start from its
 * controller method's decorators, in place of Nest's router execution
 * context. Per request that context built execution-context objects for the
 * guard and each custom parameter, ran guards, pipes, interceptors and the
 * response through a dozen nested async functions and Nest's reply adapter,
 * and left errors to an exception-handler chain (with the callback-style
 * hooks, `GET /v1/me` went from 58.5 to 20.5 promises per request:
 * docs/performance.md, session 8). The compiled handler does, in Nest's order:
 *
 * 1. a route parameter that is empty → 404 (as Nest's Fastify adapter);
 * 2. the AuthGuard's `admit` with the route's policy, resolved once here
 *    (authentication, allowlist, rate limit, scope, the request context);
 * 3. the route's own guards (`@UseGuards`, the operator API's);
 * 4. status (`@HttpCode`, else 201 for POST, 200 otherwise) and `@Header`s;
 * 5. the idempotency claim on POST routes (IdempotencyInterceptor, put there
 *    by applyIdempotencyToPosts): a completed duplicate is answered with its
 *    stored response and the method does not run;
 * 6. the controller method with its arguments read straight from the request
 *    (`@Param`, `@Query`, `@Body`, `@Req`, `@Res`, `@Ctx`, `@CurrentCaller`);
 * 7. the result sent as the answer (the envelope is a Fastify hook), unless
 *    the method answers through `@Res()` itself;
 * 8. any error to the ErrorEnvelopeFilter, as Nest's exception handler did.
 *
 * It is the one way a route is served: Nest still scans the controllers
 * (dependency injection, discovery, the OpenAPI document from the same
 * decorators) and registers their routes, and the `onRoute` hook below puts
 * the compiled handler in place of Nest's. A route that is not a controller
 * method, or a decorator the compiler does not know (a pipe, an unknown
 * interceptor, a redirect), stops the gateway at start: nothing is served
 * without its guard.
 */
import { ForbiddenException, RequestMethod, type CanActivate, type Type } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AuthGuard } from '../auth/auth.guard';
import { REQUEST_VALUES } from '../auth/request-context';
import { RoutePolicies, type RouteHandler } from '../auth/route-policy';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { RouteMethods } from './route-methods';

type Handler = (req: FastifyRequest, reply: FastifyReply) => void;
type ArgReader = (req: FastifyRequest, reply: FastifyReply) => unknown;

/** What a compiled route needs from the application. */
export interface RoutePipelineDeps {
  gate: Pick<AuthGuard, 'admit'>;
  policies: Pick<RoutePolicies, 'of'>;
  idempotency: Pick<IdempotencyInterceptor, 'claim'>;
  errors: Pick<ErrorEnvelopeFilter, 'catch'>;
  /** The instance of a guard class named by `@UseGuards`. */
  guard(type: Type<CanActivate>): CanActivate;
}

/** One route of a controller: its method, URL (Fastify's syntax, `/v1/contacts/:id`) and handler. */
export interface ControllerRoute {
  method: string;
  url: string;
  name: string;
}

/** The routes a controller declares, with the URLs Nest registers for them. */
export function controllerRoutes(controller: Type<unknown>): ControllerRoute[] {
  const routes: ControllerRoute[] = [];
  const bases = [(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? ''].flat();
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    if (name === 'constructor') continue;
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) continue;
    const subs = [(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined) ?? ''].flat();
    for (const base of bases) {
      for (const sub of subs) routes.push({ method: RequestMethod[method], url: joinPath(base, sub), name });
    }
  }
  return routes;
}

function joinPath(base: string, sub: string): string {
  return (
    '/' +
    [base, sub]
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')
  );
}

/**
 * Compiles every route of the application's controllers and puts each in
 * place of Nest's handler as Nest registers it (call before the app is
 * initialised: routes are registered then).
 */
export function installRoutePipelines(app: NestFastifyApplication, fastify: FastifyInstance): void {
  const deps: RoutePipelineDeps = {
    gate: app.get(AuthGuard),
    policies: app.get(RoutePolicies),
    idempotency: app.get(IdempotencyInterceptor),
    // The same filter Nest applies to what it still handles itself (unmatched routes, body parser errors).
    errors: new ErrorEnvelopeFilter(app.get(RouteMethods)),
    guard: (type) => app.get(type, { strict: false }),
  };
  const table = new Map<string, Handler>();
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as Type<unknown> | undefined;
    if (!controller || !wrapper.instance) continue;
    for (const route of controllerRoutes(controller)) {
      table.set(`${route.method} ${route.url}`, compileRoute(deps, wrapper.instance as object, controller, route.name));
    }
  }
  fastify.addHook('onRoute', (options: RouteOptions) => {
    const methods = [options.method].flat();
    // A path registered with its trailing slash on Fastify directly (the console's `/console/`) is the route without it.
    const url = options.url.length > 1 && options.url.endsWith('/') ? options.url.slice(0, -1) : options.url;
    const compiled = new Set(methods.map((m) => table.get(`${m === 'HEAD' ? 'GET' : m} ${url}`)));
    const [handler] = compiled;
    // Fastify's own HEAD twin of a GET route arrives with the GET's handler (Nest's) and gets the GET's pipeline.
    if (compiled.size !== 1 || !handler) {
      throw new Error(`${methods.join(',')} ${options.url} is not a controller route of the gateway, so it would be served without its guard`);
    }
    options.handler = handler;
  });
}

/** One route's handler: the steps of the file comment, in that order. */
export function compileRoute(deps: RoutePipelineDeps, instance: object, controller: Type<unknown>, name: string): Handler {
  const method = (controller.prototype as Record<string, RouteHandler>)[name]!;
  const where = `${controller.name}.${name}`;
  for (const key of [REDIRECT_METADATA, RENDER_METADATA, SSE_METADATA]) {
    if (Reflect.getMetadata(key, method) !== undefined) throw new Error(`${where}: ${key} is not supported by the gateway's route pipeline`);
  }
  const policy = deps.policies.of(method, controller);
  const guards = [...metadataList<Type<CanActivate>>(GUARDS_METADATA, controller), ...metadataList<Type<CanActivate>>(GUARDS_METADATA, method)].map((g) =>
    typeof g === 'function' ? deps.guard(g) : (g as CanActivate),
  );
  const interceptors = [...metadataList<unknown>(INTERCEPTORS_METADATA, controller), ...metadataList<unknown>(INTERCEPTORS_METADATA, method)];
  for (const i of interceptors) {
    if (i !== IdempotencyInterceptor) throw new Error(`${where}: only the IdempotencyInterceptor is supported by the gateway's route pipeline`);
  }
  const idempotent = interceptors.length > 0;
  const verb = Reflect.getMetadata(METHOD_METADATA, method) as RequestMethod;
  const status = (Reflect.getMetadata(HTTP_CODE_METADATA, method) as number | undefined) ?? (verb === RequestMethod.POST ? 201 : 200);
  const headers = (Reflect.getMetadata(HEADERS_METADATA, method) as { name: string; value: string | (() => string) }[] | undefined) ?? [];
  const { readers, answersItself } = compileArgs(controller, method, name, where);
  const contextOf = (req: FastifyRequest, reply: FastifyReply) => {
    const host = new ExecutionContextHost([req, reply, undefined], controller, method);
    host.setType('http');
    return host;
  };

  const run = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    await deps.gate.admit(req, reply, policy);
    for (const guard of guards) {
      if (!(await guard.canActivate(contextOf(req, reply)))) throw new ForbiddenException('Forbidden resource');
    }
    void reply.status(status);
    for (const h of headers) void reply.header(h.name, typeof h.value === 'function' ? h.value() : h.value);
    if (idempotent) {
      const replay = await deps.idempotency.claim(req);
      if (replay) {
        // The onSend hook (idempotency.hooks) sends the stored status, type and bytes.
        void reply.send(replay.body);
        return;
      }
    }
    const args = new Array<unknown>(readers.length);
    for (let i = 0; i < readers.length; i++) args[i] = readers[i]!(req, reply);
    const result = await (method as (...a: unknown[]) => unknown).apply(instance, args);
    if (!answersItself) void reply.send(result);
  };

  return (req, reply) => {
    // Nest's Fastify adapter hands an empty route parameter to the not-found handler (its routes need one character).
    const params = req.params as Record<string, string>;
    for (const key in params) {
      if (params[key] === '' && key !== '*') {
        reply.callNotFound();
        return;
      }
    }
    run(req, reply).catch((err: unknown) => {
      try {
        deps.errors.catch(err, contextOf(req, reply));
      } catch (failed) {
        void reply.send(failed);
      }
    });
  };
}

function metadataList<T>(key: string, target: object): T[] {
  return (Reflect.getMetadata(key, target) as T[] | undefined) ?? [];
}

interface ArgMetadata {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: (data: unknown, context: ExecutionContextHost) => unknown;
}

/** Readers of the method's arguments, from its parameter decorators; whether it answers through `@Res()` itself. */
function compileArgs(controller: Type<unknown>, method: RouteHandler, name: string, where: string): { readers: ArgReader[]; answersItself: boolean } {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as Record<string, ArgMetadata> | undefined) ?? {};
  const readers: ArgReader[] = [];
  let answersItself = false;
  for (const [key, arg] of Object.entries(metadata)) {
    if (arg.pipes?.length) throw new Error(`${where}: parameter pipes are not supported by the gateway's route pipeline`);
    const data = arg.data;
    let reader: ArgReader;
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
      const read = REQUEST_VALUES.get(arg.factory);
      const factory = arg.factory!;
      reader =
        read ??
        ((req, reply) => {
          const host = new ExecutionContextHost([req, reply, undefined], controller, method);
          host.setType('http');
          return factory(data, host);
        });
    } else {
      const type = Number(key.split(':')[0]) as RouteParamtypes;
      const field = typeof data === 'string' ? data : undefined;
      switch (type) {
        case RouteParamtypes.REQUEST:
          reader = (req) => req;
          break;
        case RouteParamtypes.RESPONSE:
          // `@Res()` answers itself; `@Res({passthrough: true})` only sets status or headers.
          answersItself = !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, name);
          reader = (_req, reply) => reply;
          break;
        case RouteParamtypes.BODY:
          reader = field ? (req) => (req.body as Record<string, unknown> | undefined)?.[field] : (req) => req.body;
          break;
        case RouteParamtypes.QUERY:
          reader = field ? (req) => (req.query as Record<string, unknown>)[field] : (req) => req.query;
          break;
        case RouteParamtypes.PARAM:
          reader = field ? (req) => (req.params as Record<string, unknown>)[field] : (req) => req.params;
          break;
        case RouteParamtypes.HEADERS:
          reader = field ? (req) => req.headers[field.toLowerCase()] : (req) => req.headers;
          break;
        case RouteParamtypes.IP:
          reader = (req) => req.ip;
          break;
        default:
          throw new Error(`${where}: parameter decorator ${RouteParamtypes[type] ?? key} is not supported by the gateway's route pipeline`);
      }
    }
    readers[arg.index] = reader;
  }
  for (let i = 0; i < readers.length; i++) readers[i] ??= () => undefined;
  return { readers, answersItself };
}
