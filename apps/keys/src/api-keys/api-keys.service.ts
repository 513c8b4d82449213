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
  type CustomLimits,
  type ApiKeyWithSecret,
  type PlanName,
  type RequestContext,
  type VerifiedApiKey,
  type CreateApiKeyRequest,
  type ListApiKeysQuery,
  type RotateApiKeyRequest,
  type UpdateApiKeyRequest,
} from '@sigil/contracts';
import {
  DomainError,
  Forbidden,
  generateApiKey,
  hashSecret,
  newId,
  NotFound,
  OutboxWriter,
  isIdOf,
  keysetPage,
  Paged,
  pageWindow,
  parseApiKey,
  returnedRows,
} from '@sigil/platform';

interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  environment: 'live' | 'test';
  prefix: string;
  last4: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  allowed_cidrs: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toView(row: KeyRow, now = Date.now()): ApiKeyView {
  const status = row.revoked_at ? 'revoked' : row.expires_at && row.expires_at.getTime() <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    prefix: row.prefix,
    last4: row.last4,
    scopes: row.scopes,
    rate_limit_per_minute: row.rate_limit_per_minute,
    allowed_cidrs: row.allowed_cidrs,
    status,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

// Ids are time-sortable, so the id alone is an exact keyset position.
const isKeyId = isIdOf('key');

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(ctx: RequestContext, req: CreateApiKeyRequest): Promise<ApiKeyWithSecret> {
    this.assertMayGrant(ctx, req.environment, req.scopes);
    return this.dataSource.transaction(async (m) => {
      // Locking the tenant row serialises concurrent creations, so the plan's key limit holds exactly.
      const [tenant]: { plan: PlanName; custom_limits: CustomLimits | null }[] = await m.query(
        `SELECT plan, custom_limits FROM tenants WHERE id = $1 FOR UPDATE`,
        [ctx.tenant_id],
      );
      if (!tenant) throw new NotFound('tenant', ctx.tenant_id);
      const [{ active }] = await m.query(
        `SELECT count(*)::int AS active FROM api_keys
          WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [ctx.tenant_id],
      );
      const max = effectiveLimits(tenant.plan, tenant.custom_limits).max_active_keys;
      if (active >= max) {
        const which = tenant.custom_limits ? 'Your account' : `The ${tenant.plan} plan`;
        throw new Forbidden('plan_limit_exceeded', `${which} allows ${max} active API keys; revoke one or upgrade.`, {
          limit: max,
        });
      }
      const secret = generateApiKey(req.environment);
      const parsed = parseApiKey(secret)!;
      const [row]: KeyRow[] = await m.query(
        `INSERT INTO api_keys (id, tenant_id, name, environment, prefix, last4, scopes, rate_limit_per_minute, expires_at, allowed_cidrs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [
          newId('key'),
          ctx.tenant_id,
          req.name,
          req.environment,
          parsed.prefix,
          parsed.last4,
          req.scopes,
          req.rate_limit_per_minute ?? null,
          req.expires_at ?? null,
          req.allowed_cidrs ?? null,
        ],
      );
      await m.query(`INSERT INTO api_key_secrets (secret_hash, tenant_id, key_id) VALUES ($1, $2, $3)`, [hashSecret(secret), ctx.tenant_id, row!.id]);
      await this.outbox.append(m, [
        {
          type: 'api_key.created',
          tenant_id: ctx.tenant_id,
          mode: row!.environment,
          key: row!.id,
          data: { id: row!.id, prefix: row!.prefix, environment: row!.environment, scopes: row!.scopes },
        },
      ]);
      return { ...toView(row!), key: secret };
    });
  }

  async list(ctx: RequestContext, q: ListApiKeysQuery): Promise<Paged<ApiKeyView>> {
    const params: unknown[] = [ctx.tenant_id];
    let where = 'tenant_id = $1';
    if (ctx.principal?.kind === 'api_key') {
      params.push(ctx.mode);
      where += ` AND environment = $${params.length}`;
    }
    const filterParams = [...params];
    const filterWhere = where;
    const window = pageWindow(q, q.limit, isKeyId);
    if (window.after !== undefined) {
      params.push(window.after);
      where += ` AND id > $${params.length}`;
    }
    params.push(window.limit + 1, window.offset);
    const rows: KeyRow[] = await this.dataSource.query(
      `SELECT * FROM api_keys WHERE ${where} ORDER BY id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM api_keys WHERE ${filterWhere}`, filterParams);
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total });
    return new Paged(items.map((r) => toView(r)), meta);
  }

  async get(ctx: RequestContext, id: unknown): Promise<ApiKeyView> {
    return toView(await this.find(this.dataSource.manager, ctx, id));
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateApiKeyRequest): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) throw new DomainError(409, 'conflict', 'A revoked key cannot be changed.');
      if (req.scopes) this.assertMayGrant(ctx, current.environment, req.scopes);
      const [row] = returnedRows<KeyRow>(
        await m.query(
        `UPDATE api_keys SET
           name = COALESCE($3, name),
           scopes = COALESCE($4, scopes),
           rate_limit_per_minute = CASE WHEN $5::boolean THEN $6::integer ELSE rate_limit_per_minute END,
           allowed_cidrs = CASE WHEN $7::boolean THEN $8::text[] ELSE allowed_cidrs END,
           updated_at = now()
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [
          ctx.tenant_id,
          current.id,
          req.name ?? null,
          req.scopes ?? null,
          req.rate_limit_per_minute !== undefined,
          req.rate_limit_per_minute ?? null,
          req.allowed_cidrs !== undefined,
          req.allowed_cidrs ?? null,
        ],
        ),
      );
      await this.outbox.append(m, [
        {
          type: 'api_key.updated',
          tenant_id: ctx.tenant_id,
          mode: row!.environment,
          key: row!.id,
          data: { id: row!.id, scopes: row!.scopes, rate_limit_per_minute: row!.rate_limit_per_minute, allowed_cidrs: row!.allowed_cidrs },
          previous: { name: current.name, scopes: current.scopes, rate_limit_per_minute: current.rate_limit_per_minute, allowed_cidrs: current.allowed_cidrs },
        },
      ]);
      return toView(row!);
    });
  }

  async revoke(ctx: RequestContext, id: unknown): Promise<ApiKeyView> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) return toView(current);
      const [row] = returnedRows<KeyRow>(
        await m.query(
        `UPDATE api_keys SET revoked_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [ctx.tenant_id, current.id],
        ),
      );
      await this.outbox.append(m, [{ type: 'api_key.revoked', tenant_id: ctx.tenant_id, mode: row!.environment, key: row!.id, data: { id: row!.id } }]);
      return toView(row!);
    });
  }

  async rotate(ctx: RequestContext, id: unknown, req: RotateApiKeyRequest): Promise<ApiKeyWithSecret> {
    const grace = req.grace_period_seconds ?? 0;
    return this.dataSource.transaction(async (m) => {
      const current = await this.find(m, ctx, id, true);
      if (current.revoked_at) throw new DomainError(409, 'conflict', 'A revoked key cannot be rotated.');
      const [{ until }] = await m.query(`SELECT now() + make_interval(secs => $1) AS until`, [grace]);
      // Every secret still valid now ends at the end of the grace period (never later than it already would).
      await m.query(
        `UPDATE api_key_secrets SET expires_at = LEAST(COALESCE(expires_at, $3), $3)
          WHERE tenant_id = $1 AND key_id = $2`,
        [ctx.tenant_id, current.id, until],
      );
      const secret = generateApiKey(current.environment);
      const parsed = parseApiKey(secret)!;
      await m.query(`INSERT INTO api_key_secrets (secret_hash, tenant_id, key_id) VALUES ($1, $2, $3)`, [hashSecret(secret), ctx.tenant_id, current.id]);
      const [row] = returnedRows<KeyRow>(
        await m.query(
        `UPDATE api_keys SET prefix = $3, last4 = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [ctx.tenant_id, current.id, parsed.prefix, parsed.last4],
        ),
      );
      const expiresAt = (until as Date).toISOString();
      await this.outbox.append(m, [
        { type: 'api_key.rotated', tenant_id: ctx.tenant_id, mode: row!.environment, key: row!.id, data: { id: row!.id, previous_secret_expires_at: expiresAt } },
      ]);
      return { ...toView(row!), key: secret, previous_key_expires_at: expiresAt };
    });
  }

  /** The gateway's cache-miss path: what a secret (by hash) is worth right now. */
  async verify(secretHash: unknown): Promise<VerifiedApiKey> {
    if (typeof secretHash !== 'string' || !/^[0-9a-f]{64}$/.test(secretHash)) throw new NotFound('API key');
    const [row] = await this.dataSource.query(
      `SELECT k.*, s.expires_at AS secret_expires_at, t.name AS tenant_name, t.plan, t.custom_limits
         FROM api_key_secrets s
         JOIN api_keys k ON k.id = s.key_id
         JOIN tenants t ON t.id = k.tenant_id
        WHERE s.secret_hash = $1`,
      [secretHash],
    );
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
    const modeFilter = ctx.principal?.kind === 'api_key' ? ' AND environment = $3' : '';
    const params = ctx.principal?.kind === 'api_key' ? [ctx.tenant_id, id, ctx.mode] : [ctx.tenant_id, id];
    const [row]: KeyRow[] = await m.query(`SELECT * FROM api_keys WHERE tenant_id = $1 AND id = $2${modeFilter}${lock ? ' FOR UPDATE' : ''}`, params);
    if (!row) throw new NotFound('API key', id);
    return row;
  }
}
