/**
 * Serving a request without Nest's RPC proxy: the table of every
 * `@HandleRpc` method of the app's controllers, by pattern, each entry
 * calling the method on its controller instance with the validated request.
 *
 * Nest calls a `@MessagePattern` handler through its RPC context (an async
 * exception proxy, guards, the interceptor consumer, pipes and the handler
 * factory: five nested async functions per request) and `@HandleRpc` then
 * wrapped the method's outcome in a `HandlerOutcome` so Nest's exception
 * layer would not reshape a `DomainError`. The platform's handlers use none
 * of those layers (a method with a guard, interceptor, pipe or filter, or a
 * request-scoped controller, is left out of the table and keeps Nest's path),
 * so `ConcurrentServerKafka` calls the method itself and `serveRpc` turns
 * what it returns or throws into the reply, as before.
 *
 * The table reaches the server the way the idempotency ledger does: through
 * Nest's registry of RPC servers (`RpcDispatch`, provided by
 * ServicePlatformModule), with the patterns whose handler is marked
 * `readOnly` (their offsets are committed lazily: offset-committer.ts).
 */
import { Injectable, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import type { RequestContext, RpcRequest } from '@sigil/contracts';
import { parseRpcRequest, RPC_HANDLER_METADATA, type RpcHandlerMetadata } from './handle-rpc';

/** A request's handler: the method's result (value, promise, `Paged`) or its error thrown. */
export type DirectRpcHandler = (request: RpcRequest | undefined) => unknown;

/** A request/reply server that serves from such a table (ConcurrentServerKafka). */
export interface DirectRpcAware {
  /** `readOnly`: the patterns whose handler writes nothing (`@HandleRpc(def, { readOnly: true })`). */
  useDirectHandlers(table: Map<string, DirectRpcHandler>, readOnly: ReadonlySet<string>): void;
}

function isDirectRpcAware(target: unknown): target is DirectRpcAware {
  return typeof (target as Partial<DirectRpcAware> | undefined)?.useDirectHandlers === 'function';
}

const NEST_LAYERS = [GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA, EXCEPTION_FILTERS_METADATA];

/** Whether Nest would apply a guard, interceptor, pipe or filter of its own to this method (or its class). */
function hasNestLayers(target: object): boolean {
  return NEST_LAYERS.some((key) => ((Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []).length > 0);
}

/** Every `@HandleRpc` method of the modules' controllers, with whether it can be called directly. */
function* rpcMethods(modules: ModulesContainer): Generator<{ instance: object; meta: RpcHandlerMetadata; direct: boolean }> {
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance) continue;
      const directClass = wrapper.isDependencyTreeStatic() && !hasNestLayers(instance.constructor as Type<unknown>);
      for (const fn of methodsOf(instance)) {
        const meta = Reflect.getMetadata(RPC_HANDLER_METADATA, fn) as RpcHandlerMetadata | undefined;
        if (meta) yield { instance, meta, direct: directClass && !hasNestLayers(fn) };
      }
    }
  }
}

/** Every `@HandleRpc` method of the modules' static controllers, by pattern. */
export function directRpcHandlers(modules: ModulesContainer): Map<string, DirectRpcHandler> {
  const table = new Map<string, DirectRpcHandler>();
  for (const { instance, meta, direct } of rpcMethods(modules)) {
    if (!direct) continue;
    const { def, method } = meta;
    table.set(def.pattern, (request) => method.call(instance, { ctx: request?.ctx as RequestContext, input: parseRpcRequest(def, request?.payload) }));
  }
  return table;
}

/** The patterns whose handler is marked `readOnly` (direct or not: the mark is about what it writes). */
export function readOnlyRpcPatterns(modules: ModulesContainer): Set<string> {
  const patterns = new Set<string>();
  for (const { meta } of rpcMethods(modules)) if (meta.readOnly) patterns.add(meta.def.pattern);
  return patterns;
}

/** The functions of an object's prototype chain (its class's methods, an overriding one first). */
function methodsOf(instance: object): Function[] {
  const seen = new Set<string>();
  const out: Function[] = [];
  for (let proto = Object.getPrototypeOf(instance) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || seen.has(name)) continue;
      seen.add(name);
      const value: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (typeof value === 'function') out.push(value);
    }
  }
  return out;
}

/** Hands the app's request/reply servers the table of its `@HandleRpc` methods. */
@Injectable()
export class RpcDispatch implements OnModuleInit, OnApplicationShutdown {
  private servers?: Subscription;

  constructor(private readonly modules: ModulesContainer) {}

  onModuleInit(): void {
    // Controllers are instantiated before any module is initialised; servers announce themselves in Nest's registry.
    this.servers = this.modules.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (isDirectRpcAware(target)) target.useDirectHandlers(directRpcHandlers(this.modules), readOnlyRpcPatterns(this.modules));
    });
  }

  onApplicationShutdown(): void {
    this.servers?.unsubscribe();
  }
}
