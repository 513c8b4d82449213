/**
 * The lean AsyncResource.bind: same behaviour as Node's (the resource's async
 * scope, `this`, arguments, `length`, the `asyncResource` property), without
 * building deprecation wrappers on every call.
 */
import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { installAsyncResourceBindFix } from './async-resource-bind.fix';

installAsyncResourceBindFix();

describe('AsyncResource.bind (lean)', () => {
  it('runs the function in the async scope of the resource it was bound to', () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () => AsyncResource.bind(() => [storage.getStore(), executionAsyncId()]));
    const resource = (bound as unknown as { asyncResource: AsyncResource }).asyncResource;
    expect(resource).toBeInstanceOf(AsyncResource);
    expect(bound()).toEqual(['request-1', resource.asyncId()]);
  });

  it('passes the call’s this and arguments without a thisArg, and the bound thisArg with one', () => {
    const resource = new AsyncResource('test');
    function probe(this: unknown, a: number, b: number) {
      return { self: this, sum: a + b };
    }
    const target = { name: 'caller' };
    const free = resource.bind(probe);
    expect(free.call(target, 1, 2)).toEqual({ self: target, sum: 3 });
    const fixed = (resource.bind as (fn: typeof probe, thisArg: unknown) => typeof probe).call(resource, probe, target);
    expect(fixed.call({ other: true }, 2, 3)).toEqual({ self: target, sum: 5 });
    expect(free.length).toBe(2);
  });

  it('builds no deprecation wrapper per bind (Node names its wrappers `deprecated`)', () => {
    const bound = new AsyncResource('test').bind(() => 1);
    const descriptor = Object.getOwnPropertyDescriptor(bound, 'asyncResource')!;
    expect(descriptor.get!.name).not.toBe('deprecated');
    expect(descriptor.set!.name).not.toBe('deprecated');
  });

  it('refuses what is not a function, as Node does', () => {
    expect(() => new AsyncResource('test').bind(42 as unknown as () => void)).toThrow(/"fn" argument must be of type function/);
  });
});
