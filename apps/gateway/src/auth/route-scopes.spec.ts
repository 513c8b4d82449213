/**
 * Every gateway route must declare what it needs (a scope, any credential, or
 * public). Enumerates all routes of the gateway module and fails on one that
 * declares nothing, and pins the public surface.
 */
import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import { GatewayAppModule } from '../app.module';
import { GatewayConfigSchema } from '../config';
import { AdminController } from '../routes/admin.controller';
import { AdminTokenGuard } from './admin-token.guard';
import { routeCatalog } from '../openapi/route-catalog';

const controllers = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'x', partitions: 1 }).controllers as Type<unknown>[];
const all = routeCatalog(controllers).map((r) => ({ ...r, route: `${r.method} ${r.path}` }));

describe('gateway routes', () => {
  it('finds the routes', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it('every route declares a scope, any credential, or public', () => {
    const undeclared = all.filter((r) => !r.scope && !r.anyScope && !r.isPublic).map((r) => r.route);
    expect(undeclared).toEqual([]);
  });

  it('only auth, subscription tokens, health, metrics, docs and the console (GET) routes are public, besides the operator API and the secret scanning partner endpoint', () => {
    for (const r of all.filter((x) => x.isPublic && x.controller !== 'AdminController' && x.controller !== 'SecretScanningController')) {
      expect(r.route).toMatch(
        /^(GET|POST) \/(v1\/auth\/|health\/|v1\/health$|v1\/openapi\.json$|docs|metrics$)|^GET \/(console|$)|^POST \/v1\/members\/invitations\/accept$|^POST \/v1\/subscriptions\/(confirm|unsubscribe)$/,
      );
    }
  });

  it('the secret scanning partner endpoint is exactly POST /v1/secret-scanning/verify: public to tenants (GitHub signs it), nothing else under that path', () => {
    const routes = all.filter((x) => x.controller === 'SecretScanningController' || x.path.startsWith('/v1/secret-scanning'));
    expect(routes.map((r) => [r.route, r.controller, r.isPublic])).toEqual([['POST /v1/secret-scanning/verify', 'SecretScanningController', true]]);
  });

  it('account settings: reading needs keys:read, changing them needs * (owners, admins, full-access keys)', () => {
    const scopes = Object.fromEntries(all.filter((r) => r.path === '/v1/settings').map((r) => [r.route, r.scope]));
    expect(scopes).toEqual({ 'GET /v1/settings': 'keys:read', 'PATCH /v1/settings': '*' });
  });

  it('the public subscription token routes are exactly confirm and unsubscribe', () => {
    const tokenRoutes = all.filter((r) => r.path.startsWith('/v1/subscriptions/'));
    expect(tokenRoutes.map((r) => r.route).sort()).toEqual(['POST /v1/subscriptions/confirm', 'POST /v1/subscriptions/unsubscribe']);
    for (const r of tokenRoutes) expect(r.isPublic).toBe(true);
  });

  it('the operator API is exactly /v1/admin/*, guarded by the admin token (no tenant credential)', () => {
    const admin = all.filter((x) => x.controller === 'AdminController');
    expect(admin.map((r) => r.route)).toEqual(['PATCH /v1/admin/tenants/{id}']);
    expect(Reflect.getMetadata('__guards__', AdminController)).toEqual([AdminTokenGuard]);
    for (const r of all.filter((x) => x.path.startsWith('/v1/admin'))) expect(r.controller).toBe('AdminController');
  });

  it('members routes: reading needs members:read, every change members:write; listing and switching tenants needs a session (any scope)', () => {
    const scopes = Object.fromEntries(
      all
        .filter((r) => r.path.startsWith('/v1/members') || r.path === '/v1/auth/switch' || r.path === '/v1/auth/tenants')
        .map((r) => [r.route, r.scope ?? (r.isPublic ? 'public' : 'any')]),
    );
    expect(scopes).toEqual({
      'POST /v1/members/invitations': 'members:write',
      'POST /v1/members/invitations/accept': 'public',
      'GET /v1/members/invitations': 'members:read',
      'DELETE /v1/members/invitations/{invitation_id}': 'members:write',
      'GET /v1/members': 'members:read',
      'PATCH /v1/members/{user_id}': 'members:write',
      'DELETE /v1/members/{user_id}': 'members:write',
      'POST /v1/auth/switch': 'any',
      'GET /v1/auth/tenants': 'any',
    });
  });

  it('contact identity and import routes: every one needs contacts:write, the upsert by external_id included', () => {
    const scopes = Object.fromEntries(
      all.filter((r) => /^\/v1\/(contacts\/(by-external-id|merge|batch)|imports)/.test(r.path)).map((r) => [r.route, r.scope ?? (r.isPublic ? 'public' : 'any')]),
    );
    expect(scopes).toEqual({
      'PUT /v1/contacts/by-external-id/{external_id}': 'contacts:write',
      'POST /v1/contacts/batch': 'contacts:write',
      'POST /v1/contacts/merge': 'contacts:write',
      'POST /v1/imports': 'contacts:write',
      'GET /v1/imports/{id}': 'contacts:write',
      'POST /v1/imports/{id}/cancel': 'contacts:write',
      'GET /v1/imports/{id}/errors': 'contacts:write',
    });
  });

  it('write routes require a write scope (preview, a read, excepted)', () => {
    for (const r of all.filter((x) => /^(POST|PATCH|PUT|DELETE) \/v1\/(?!auth)/.test(x.route) && x.scope)) {
      expect(`${r.route} ${r.scope}`).toMatch(/(:write|\*)$|preview .*:read$/);
    }
  });
});
