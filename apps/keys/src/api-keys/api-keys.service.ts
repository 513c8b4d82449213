/**
 * API keys: creation (secret shown once), listing, updates, revocation and
 * rotation with a grace period, and verification of a secret's hash for the
 * gateway. A key can never grant more than its creator holds: an API key may
 * only mint keys of its own environment with a subset of its scopes.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  effectiveLimits,
  type ApiKeyView,
  type ApiKeyWithSecret,
  type RequestContext,
  type VerifiedApiKey,
  type CreateApiKeyRequest,
  type ListApiKeysQuery,
  type RotateApiKeyRequest,
  type UpdateApiKeyRequest,
} from '@sigil/contracts';
import { DomainError, Forbidden, generateApiKey, hashSecret, newId, NotFound, OutboxWriter, isIdOf, keysetPage, Paged, pageWindow, parseApiKey } from '@sigil/platform';
import { TenantsRepository } from '../tenants/tenants.repository';
import { ApiKeysRepository, apiKeyView, keyScopeOf, type KeyRow } from './api-keys.repository';

// Ids are time-sortable, so the id alone is an exact keyset position.
const isKeyId = isIdOf('key');

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly keys: ApiKeysRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  async create(ctx: RequestContext, req: CreateApiKeyRequest): Promise<ApiKeyWithSecret> {
    this.assertMayGrant(ctx, req.environment, req.scopes);
    return this.dataSource.transaction(async (m) => {
      // Locking the tenant row serialises concurrent creations, so the plan's key limit holds exactly.
      const tenant = await this.tenants.find(m, ctx.tenant_id, true);
      if (!tenant) throw new NotFound('tenant', ctx.tenant_id);
      const active = await this.keys.countActive(m, ctx.tenant_id);
      const max = effectiveLimits(tenant.plan, tenant.custom_limits).max_active_keys;
      if (active >= max) {
        const which = tenant.custom_limits ? 'Your account' : `The ${tenant.plan} plan`;
        throw new Forbidden('plan_limit_exceeded', `${which} allows ${max} active API keys; revoke one or upgrade.`, {
          limit: max,
        });
      }
      const secret = generateApiKey(req.environment);
      const parsed = parseApiKey(secret)!;
      const row = await this.keys.insert(m, ctx.tenant_id, {
        id: newId('key'),
        name: req.name,
        environment: req.environment,
        prefix: parsed.prefix,
        last4: parsed.last4,
        scopes: req.scopes,
        rate_limit_per_minute: req.rate_limit_per_minute ?? null,
        expires_at: req.expires_at ?? null,
        allowed_cidrs: req.allowed_cidrs ?? null,
        secret_hash: hashSecret(secret),
      });
      await this.outbox.append(m, [
        {
          type: 'api_key.created',
          tenant_id: ctx.tenant_id,
          mode: row.environment,
          key: row.id,
          data: { id: row.id, prefix: row.prefix, environment: row.environment, scopes: row.scopes },
        },
      ]);
      return { ...apiKeyView(row), key: secret };
    });
  }

  async list(ctx: RequestContext, q: ListApiKeysQuery): Promise<Paged<ApiKeyView>> {
    const scope = keyScopeOf(ctx);
    const window = pageWindow(q, q.limit, isKeyId);
    const rows = await this.keys.page(this.dataSource.manager, scope, { after: window.after, limit: window.limit + 1, offset: window.offset });
    const total = await this.keys.count(this.dataSource.manager, scope);
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total });
    return new Paged(
      items.map((r) => apiKeyView(r)),
      meta,
    );
  }

  async get(ctx: RequestContext, id: unknown): Promise<ApiKeyView> {
    return apiKeyView(await this.find(this.dataSource.manager, ctx, id));
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateApiKeyRequest): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) throw new DomainError(409, 'conflict', 'A revoked key cannot be changed.');
      if (req.scopes) this.assertMayGrant(ctx, current.environment, req.scopes);
      const row = (await this.keys.update(m, ctx.tenant_id, current.id, req))!;
      await this.outbox.append(m, [
        {
          type: 'api_key.updated',
          tenant_id: ctx.tenant_id,
          mode: row.environment,
          key: row.id,
          data: { id: row.id, scopes: row.scopes, rate_limit_per_minute: row.rate_limit_per_minute, allowed_cidrs: row.allowed_cidrs },
          previous: { name: current.name, scopes: current.scopes, rate_limit_per_minute: current.rate_limit_per_minute, allowed_cidrs: current.allowed_cidrs },
        },
      ]);
      return apiKeyView(row);
    });
  }

  async revoke(ctx: RequestContext, id: unknown): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) return apiKeyView(current);
      const row = (await this.keys.revoke(m, ctx.tenant_id, current.id))!;
      await this.outbox.append(m, [{ type: 'api_key.revoked', tenant_id: ctx.tenant_id, mode: row.environment, key: row.id, data: { id: row.id } }]);
      return apiKeyView(row);
    });
  }

  async rotate(ctx: RequestContext, id: unknown, req: RotateApiKeyRequest): Promise<ApiKeyWithSecret> {
    const grace = req.grace_period_seconds ?? 0;
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) throw new DomainError(409, 'conflict', 'A revoked key cannot be rotated.');
      const secret = generateApiKey(current.environment);
      const parsed = parseApiKey(secret)!;
      // Every secret still valid now ends at the end of the grace period (never later than it already would).
      const { row, previousExpiresAt } = await this.keys.rotate(m, ctx.tenant_id, current.id, {
        secret_hash: hashSecret(secret),
        prefix: parsed.prefix,
        last4: parsed.last4,
        graceSeconds: grace,
      });
      const expiresAt = previousExpiresAt.toISOString();
      await this.outbox.append(m, [
        { type: 'api_key.rotated', tenant_id: ctx.tenant_id, mode: row.environment, key: row.id, data: { id: row.id, previous_secret_expires_at: expiresAt } },
      ]);
      return { ...apiKeyView(row), key: secret, previous_key_expires_at: expiresAt };
    });
  }

  /** The gateway's cache-miss path: what a secret (by hash) is worth right now. */
  async verify(secretHash: unknown): Promise<VerifiedApiKey> {
    if (typeof secretHash !== 'string' || !/^[0-9a-f]{64}$/.test(secretHash)) throw new NotFound('API key');
    const row = await this.keys.findBySecretHash(this.dataSource.manager, secretHash);
    if (!row) throw new NotFound('API key');
    const now = Date.now();
    const ends = [row.expires_at, row.secret_expires_at].filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
    const expiresAt = ends.length ? Math.min(...ends) : null;
    const state = row.revoked_at ? 'revoked' : expiresAt !== null && expiresAt <= now ? 'expired' : 'active';
    return {
      key_id: row.id,
      tenant: { id: row.tenant_id, name: row.tenant_name, plan: row.plan, limits: effectiveLimits(row.plan, row.custom_limits) },
      environment: row.environment,
      prefix: row.prefix,
      scopes: row.scopes,
      rate_limit_per_minute: row.rate_limit_per_minute,
      allowed_cidrs: row.allowed_cidrs,
      expires_at: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      state,
    };
  }

  private assertMayGrant(ctx: RequestContext, environment: 'live' | 'test', scopes: string[]): void {
    const principal = ctx.principal;
    if (!principal || principal.kind === 'system') return;
    if (principal.kind === 'api_key' && environment !== ctx.mode) {
      throw new Forbidden('insufficient_scope', `A ${ctx.mode} key cannot manage ${environment} keys.`);
    }
    // A member's session holds its role's scopes (an owner or admin every one): a developer cannot mint a key stronger than their role.
    if (principal.scopes.includes('*')) return;
    const excess = scopes.filter((s) => !principal.scopes.includes(s));
    if (excess.length) {
      throw new Forbidden('insufficient_scope', `A ${principal.kind === 'api_key' ? 'key' : 'member'} cannot grant scopes it does not hold: ${excess.join(', ')}.`, {
        required_scope: excess[0],
      });
    }
  }

  private async find(m: EntityManager, ctx: RequestContext, id: unknown, lock = false): Promise<KeyRow> {
    if (typeof id !== 'string' || !/^key_[0-9A-Z]{26}$/.test(id)) throw new NotFound('API key', String(id));
    const row = await this.keys.find(m, keyScopeOf(ctx), id, lock);
    if (!row) throw new NotFound('API key', id);
    return row;
  }
}
