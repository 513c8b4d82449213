/**
 * Every gateway route must declare what it needs (a scope, any credential, or
 * public). Enumerates all routes of the gateway module and fails on one that
 * declares nothing, and pins the public surface.
 */
import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import { GatewayAppModule } from '../app.module';
import { GatewayConfigSchema } from '../config';
import { ANY_SCOPE, PUBLIC_ROUTE, REQUIRED_SCOPE } from './scopes.decorator';

interface Route {
  route: string;
  scope: string | undefined;
  any: boolean;
  public: boolean;
}

function routes(): Route[] {
  const module = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'x', partitions: 1 });
  const out: Route[] = [];
  for (const controller of (module.controllers ?? []) as Type<unknown>[]) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as object;
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
      const meta = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
      out.push({
        route: `${RequestMethod[method]} /${[base, path].filter((p) => p && p !== '/').join('/')}`,
        scope: meta<string>(REQUIRED_SCOPE),
        any: !!meta<boolean>(ANY_SCOPE),
        public: !!meta<boolean>(PUBLIC_ROUTE),
      });
    }
  }
  return out;
}

describe('gateway routes', () => {
  const all = routes();

  it('finds the routes', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('every route declares a scope, any credential, or public', () => {
    const undeclared = all.filter((r) => !r.scope && !r.any && !r.public).map((r) => r.route);
    expect(undeclared).toEqual([]);
  });

  it('only auth, health and docs routes are public', () => {
    const publicRoutes = all.filter((r) => r.public).map((r) => r.route);
    for (const route of publicRoutes) expect(route).toMatch(/^(GET|POST) \/(v1\/auth\/|health\/|v1\/health|v1\/openapi\.json|docs|metrics)/);
  });

  it('write routes require a write scope', () => {
    const writes = all.filter((r) => /^(POST|PATCH|PUT|DELETE) \/v1\/(?!auth)/.test(r.route) && r.scope);
    for (const r of writes) {
      expect(`${r.route} ${r.scope}`).toMatch(/(:write|\*)$|preview .*:read$/);
    }
  });
});
