/**
 * Node 20's `AsyncResource.prototype.bind` wraps two fresh `util.deprecate`
 * closures around every bound function (the getter and setter of the
 * deprecated `asyncResource` property, DEP0172). Fastify binds the body
 * parser of every request with a body, and Nest binds `next.handle()` of
 * every route with an interceptor: in the gateway's profile of 500 creates/s,
 * `deprecate` and `bind` were 4.7 % of its CPU (docs/performance.md,
 * session 7). This replaces `bind` with the same function without the
 * deprecation wrappers: the bound function runs `fn` in the resource's async
 * scope with the same `this` and arguments, keeps `fn.length`, and still
 * exposes `asyncResource` (as a plain accessor). Applied once, when
 * @sigil/platform is first imported.
 */
import { AsyncResource } from 'node:async_hooks';

const PATCHED = Symbol.for('sigil.asyncResourceBind');
type Bindable = (...args: unknown[]) => unknown;

export function installAsyncResourceBindFix(): void {
  const proto = AsyncResource.prototype as AsyncResource & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const original = proto.bind;
  Object.defineProperty(proto, PATCHED, { value: true });
  proto.bind = function bind<Func extends Bindable>(this: AsyncResource, fn: Func, thisArg?: unknown): Func {
    // Validation (and its error message) stays Node's own.
    if (typeof fn !== 'function') return (original as (fn: unknown, thisArg?: unknown) => Func).call(this, fn, thisArg);
    return bindTo(this, fn, thisArg);
  };
}

function bindTo<Func extends Bindable>(initial: AsyncResource, fn: Func, thisArg: unknown): Func {
  let resource = initial;
  const bound =
    thisArg === undefined
      ? function (this: unknown, ...args: unknown[]) {
          return resource.runInAsyncScope(fn, this, ...args);
        }
      : (resource.runInAsyncScope.bind(resource, fn, thisArg) as Bindable);
  Object.defineProperties(bound, {
    length: { configurable: true, enumerable: false, value: fn.length, writable: false },
    asyncResource: {
      configurable: true,
      enumerable: true,
      get: () => resource,
      set: (value: AsyncResource) => {
        resource = value;
      },
    },
  });
  return bound as Func;
}

installAsyncResourceBindFix();
