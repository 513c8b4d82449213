/**
 * Every gateway route must declare what it needs (a scope, any credential, or
 * public). Enumerates all routes of the gateway module and fails on one that
 * declares nothing, and pins the public surface.
 */
import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { GatewayAppModule } from '../app.module';
import { GatewayConfigSchema } from '../config';
import { routeCatalog } from '../openapi/route-catalog';

const controllers = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'x', partitions: 1 })
  .controllers as Type<unknown>[];
const all = routeCatalog(controllers).map((r) => ({ ...r, route: `${r.method} ${r.path}` }));

describe('gateway routes', () => {
  it('finds the routes', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('every route declares a scope, any credential, or public', () => {
    const undeclared = all.filter((r) => !r.scope && !r.anyScope && !r.isPublic).map((r) => r.route);
    expect(undeclared).toEqual([]);
  });

  it('only auth, health, metrics, docs and the console (GET) routes are public', () => {
    for (const r of all.filter((x) => x.isPublic)) {
      expect(r.route).toMatch(/^(GET|POST) \/(v1\/auth\/|health\/|v1\/health$|v1\/openapi\.json$|docs|metrics$)|^GET \/(console|$)/);
    }
  });

  it('write routes require a write scope (preview, a read, excepted)', () => {
    for (const r of all.filter((x) => /^(POST|PATCH|PUT|DELETE) \/v1\/(?!auth)/.test(x.route) && x.scope)) {
      expect(`${r.route} ${r.scope}`).toMatch(/(:write|\*)$|preview .*:read$/);
    }
  });
});
