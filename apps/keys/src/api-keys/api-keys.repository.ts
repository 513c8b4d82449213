/**
 * SQL of the API-key aggregate: `api_keys` and the secrets that open each
 * key (`api_key_secrets`, by hash: a rotated key keeps its old secret for a
 * grace period). Every write to the two tables goes through here, with the
 * row type and its mapper to the API's view.
 *
 * Every method of one tenant's keys takes the tenant first (a `KeyScope` for
 * reads, which also narrows an API-key caller to its own environment). One
 * method does not: `findBySecretHash`, the gateway's credential lookup,
 * which is how the tenant is learnt in the first place.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ApiKeyView, CustomLimits, LeakedKeyPolicy, Mode, PlanName, RequestContext } from '@sigil/contracts';
import { returnedRows } from '@sigil/platform';

export interface KeyRow {
  id: string;
  tenant_id: string;
  name: string;
  environment: Mode;
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

/** A key found by one of its secrets, with that secret's own end and the tenant's plan. */
export interface SecretKeyRow extends KeyRow {
  secret_expires_at: Date | null;
  tenant_name: string;
  plan: PlanName;
  custom_limits: CustomLimits | null;
}

/** A key named by one of its secrets in a leak report, with that secret's end and its tenant's leaked-key policy. */
export interface LeakedSecretRow {
  secret_hash: string;
  secret_expires_at: Date | null;
  id: string;
  tenant_id: string;
  environment: Mode;
  prefix: string;
  revoked_at: Date | null;
  expires_at: Date | null;
  leaked_key_policy: LeakedKeyPolicy;
}

/** Whose keys a read sees: the tenant's, and only `environment`'s when set (an API key manages its own environment only). */
export interface KeyScope {
  tenantId: string;
  environment?: Mode;
}

export function keyScopeOf(ctx: RequestContext): KeyScope {
  return ctx.principal?.kind === 'api_key' ? { tenantId: ctx.tenant_id, environment: ctx.mode } : { tenantId: ctx.tenant_id };
}

export function apiKeyView(row: KeyRow, now = Date.now()): ApiKeyView {
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

/** The WHERE clause of a scope, its parameters first. */
function scoped(s: KeyScope): { where: string; params: unknown[] } {
  return s.environment ? { where: 'tenant_id = $1 AND environment = $2', params: [s.tenantId, s.environment] } : { where: 'tenant_id = $1', params: [s.tenantId] };
}

@Injectable()
export class ApiKeysRepository {
  /** Keys of the tenant neither revoked nor expired (what the plan's key limit counts). */
  async countActive(m: EntityManager, tenantId: string): Promise<number> {
    const [{ active }]: [{ active: number }] = await m.query(
      `SELECT count(*)::int AS active FROM api_keys
        WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [tenantId],
    );
    return active;
  }

  /** A new key and the hash of its first secret. */
  async insert(
    m: EntityManager,
    tenantId: string,
    key: Pick<KeyRow, 'id' | 'name' | 'environment' | 'prefix' | 'last4' | 'scopes' | 'rate_limit_per_minute' | 'allowed_cidrs'> & {
      expires_at: string | null;
      secret_hash: string;
    },
  ): Promise<KeyRow> {
    const [row]: KeyRow[] = await m.query(
      `INSERT INTO api_keys (id, tenant_id, name, environment, prefix, last4, scopes, rate_limit_per_minute, expires_at, allowed_cidrs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [key.id, tenantId, key.name, key.environment, key.prefix, key.last4, key.scopes, key.rate_limit_per_minute, key.expires_at, key.allowed_cidrs],
    );
    await this.insertSecret(m, tenantId, key.id, key.secret_hash);
    return row!;
  }

  async find(m: EntityManager, s: KeyScope, id: string, lock = false): Promise<KeyRow | undefined> {
    const { where, params } = scoped(s);
    const [row]: KeyRow[] = await m.query(`SELECT * FROM api_keys WHERE ${where} AND id = $${params.length + 1}${lock ? ' FOR UPDATE' : ''}`, [...params, id]);
    return row;
  }

  /** A keyset page by id: `limit` rows after `after` (all when undefined), skipping `offset`. */
  async page(m: EntityManager, s: KeyScope, window: { after?: string; limit: number; offset: number }): Promise<KeyRow[]> {
    const { where, params } = scoped(s);
    const after = window.after !== undefined ? ` AND id > $${params.length + 1}` : '';
    const all = window.after !== undefined ? [...params, window.after] : params;
    return m.query(`SELECT * FROM api_keys WHERE ${where}${after} ORDER BY id LIMIT $${all.length + 1} OFFSET $${all.length + 2}`, [...all, window.limit, window.offset]);
  }

  async count(m: EntityManager, s: KeyScope): Promise<number> {
    const { where, params } = scoped(s);
    const [{ total }]: [{ total: number }] = await m.query(`SELECT count(*)::int AS total FROM api_keys WHERE ${where}`, params);
    return total;
  }

  /** Changes what is given (`null` clears the rate limit or the CIDRs); returns the key as it now is. */
  async update(
    m: EntityManager,
    tenantId: string,
    id: string,
    changes: { name?: string; scopes?: string[]; rate_limit_per_minute?: number | null; allowed_cidrs?: string[] | null },
  ): Promise<KeyRow | undefined> {
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
          tenantId,
          id,
          changes.name ?? null,
          changes.scopes ?? null,
          changes.rate_limit_per_minute !== undefined,
          changes.rate_limit_per_minute ?? null,
          changes.allowed_cidrs !== undefined,
          changes.allowed_cidrs ?? null,
        ],
      ),
    );
    return row;
  }

  async revoke(m: EntityManager, tenantId: string, id: string): Promise<KeyRow | undefined> {
    const [row] = returnedRows<KeyRow>(
      await m.query(`UPDATE api_keys SET revoked_at = now(), updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *`, [tenantId, id]),
    );
    return row;
  }

  /**
   * A rotation: every secret of the key still valid now ends at the end of
   * the grace period (never later than it already would), a new secret opens
   * it, and its visible prefix and last4 become the new secret's. Returns the
   * key and when the old secrets end.
   */
  async rotate(
    m: EntityManager,
    tenantId: string,
    id: string,
    next: { secret_hash: string; prefix: string; last4: string; graceSeconds: number },
  ): Promise<{ row: KeyRow; previousExpiresAt: Date }> {
    const [{ until }]: [{ until: Date }] = await m.query(`SELECT now() + make_interval(secs => $1) AS until`, [next.graceSeconds]);
    await m.query(`UPDATE api_key_secrets SET expires_at = LEAST(COALESCE(expires_at, $3), $3) WHERE tenant_id = $1 AND key_id = $2`, [tenantId, id, until]);
    await this.insertSecret(m, tenantId, id, next.secret_hash);
    const [row] = returnedRows<KeyRow>(
      await m.query(`UPDATE api_keys SET prefix = $3, last4 = $4, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING *`, [
        tenantId,
        id,
        next.prefix,
        next.last4,
      ]),
    );
    return { row: row!, previousExpiresAt: until };
  }

  /**
   * Usage reported by the gateways: each key's `last_used_at` moves forward
   * to the latest use reported (any tenants: each entry names its tenant,
   * and a key is matched in that tenant only). Entries of other credentials
   * (user sessions) match no key.
   */
  async markUsed(m: EntityManager, uses: Array<{ tenant_id: string; credential_id: string; last_used_at: string }>): Promise<void> {
    if (!uses.length) return;
    await m.query(
      `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.last_used)
         FROM (SELECT tenant_id, credential_id, max(last_used_at) AS last_used
                 FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(tenant_id, credential_id, last_used_at) GROUP BY 1, 2) u
        WHERE k.id = u.credential_id AND k.tenant_id = u.tenant_id`,
      [uses.map((e) => e.tenant_id), uses.map((e) => e.credential_id), uses.map((e) => e.last_used_at)],
    );
  }

  /** The gateway's credential lookup: the key one of whose secrets has this hash, of whichever tenant. */
  async findBySecretHash(m: EntityManager, secretHash: string): Promise<SecretKeyRow | undefined> {
    const [row]: SecretKeyRow[] = await m.query(
      `SELECT k.*, s.expires_at AS secret_expires_at, t.name AS tenant_name, t.plan, t.custom_limits
         FROM api_key_secrets s
         JOIN api_keys k ON k.id = s.key_id
         JOIN tenants t ON t.id = k.tenant_id
        WHERE s.secret_hash = $1`,
      [secretHash],
    );
    return row;
  }

  /**
   * A leak report's lookup (which learns each tenant from the secret): the
   * keys these secret hashes open, of any tenant, locked FOR UPDATE in key id
   * order (two reports naming the same keys cannot deadlock).
   */
  async lockBySecretHashes(m: EntityManager, secretHashes: string[]): Promise<LeakedSecretRow[]> {
    return m.query(
      `SELECT s.secret_hash, s.expires_at AS secret_expires_at, k.id, k.tenant_id, k.environment, k.prefix, k.revoked_at, k.expires_at, t.leaked_key_policy
         FROM api_key_secrets s
         JOIN api_keys k ON k.id = s.key_id
         JOIN tenants t ON t.id = k.tenant_id
        WHERE s.secret_hash = ANY($1::text[])
        ORDER BY k.id
        FOR UPDATE OF k`,
      [secretHashes],
    );
  }

  private async insertSecret(m: EntityManager, tenantId: string, keyId: string, secretHash: string): Promise<void> {
    await m.query(`INSERT INTO api_key_secrets (secret_hash, tenant_id, key_id) VALUES ($1, $2, $3)`, [secretHash, tenantId, keyId]);
  }
}
