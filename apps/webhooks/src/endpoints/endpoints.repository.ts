/**
 * SQL of the endpoint aggregate as its tenant sees it: `webhook_endpoints`
 * rows (with their sealed secrets and policy) and the per-contact claims an
 * endpoint holds. Every method takes the transaction's manager and the
 * TenantScope, and every statement is bound to that tenant and mode: another
 * tenant's (or the other mode's) id finds nothing and changes nothing.
 *
 * A deleted endpoint is only marked (`deleted_at`, see `delete`): every
 * statement here treats a marked row as absent, and the retention purge
 * removes it with its deliveries (retention/webhook-retention.ts).
 *
 * The delivery worker reads endpoints with their deliveries and records
 * their health (delivery-attempts.repository.ts); the fan-out reads the
 * endpoints of the tenants in a batch (fanout.service.ts).
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CreateWebhookRequest, UpdateWebhookRequest } from '@sigil/contracts';
import { returnedRows, type TenantScope } from '@sigil/platform';
import type { PageClause } from '../paging/keyset-page';
import type { EndpointRow } from './endpoint.row';

/** A new endpoint's row: the request's fields, its id and its sealed secret. */
export interface NewEndpoint {
  id: string;
  request: CreateWebhookRequest;
  sealed: string;
  keyId: string;
}

@Injectable()
export class EndpointsRepository {
  async insert(m: EntityManager, s: TenantScope, e: NewEndpoint): Promise<EndpointRow> {
    const req = e.request;
    const [row] = (await m.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, mode, url, events, description, enabled, secret_sealed, secret_key_id,
                                      rate_limit_per_second, max_in_flight, timeout_ms, retry_schedule, headers, ordering)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
      [
        e.id,
        s.tenantId,
        s.mode,
        req.url,
        req.events,
        req.description ?? null,
        req.enabled ?? true,
        e.sealed,
        e.keyId,
        req.rate_limit_per_second ?? null,
        req.max_in_flight ?? null,
        req.timeout_ms ?? null,
        req.retry_schedule ?? null,
        JSON.stringify(req.headers ?? {}),
        req.ordering ?? 'none',
      ],
    )) as EndpointRow[];
    return row!;
  }

  /** A keyset page; `clause` comes from pageClause with its first parameter at $3. */
  async page(m: EntityManager, s: TenantScope, clause: PageClause): Promise<EndpointRow[]> {
    return (await m.query(`SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND mode = $2 AND deleted_at IS NULL${clause.where}${clause.tail}`, [
      s.tenantId,
      s.mode,
      ...clause.params,
    ])) as EndpointRow[];
  }

  async count(m: EntityManager, s: TenantScope): Promise<number> {
    const [{ count }] = (await m.query(`SELECT count(*)::int AS count FROM webhook_endpoints WHERE tenant_id = $1 AND mode = $2 AND deleted_at IS NULL`, [
      s.tenantId,
      s.mode,
    ])) as [{ count: number }];
    return count;
  }

  /**
   * `lock` (inside a transaction): FOR NO KEY UPDATE, the lock an UPDATE of non-key columns takes. It serializes
   * writers of the row and waits for its deletion, but not for the FOR KEY SHARE that every delivery insert holds on
   * its endpoint (the foreign key; fan-out takes it explicitly) until its transaction ends: with FOR UPDATE a secret
   * rotation waited for every fan-out batch in flight (7.7 s in session 14's long fuzz run, a 504).
   */
  async find(m: EntityManager, s: TenantScope, id: string, lock = false): Promise<EndpointRow | undefined> {
    const [row] = (await m.query(
      `SELECT * FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND deleted_at IS NULL${lock ? ' FOR NO KEY UPDATE' : ''}`,
      [id, s.tenantId, s.mode],
    )) as EndpointRow[];
    return row;
  }

  /**
   * Applies the given fields (absent = unchanged; `null` clears a policy field). Re-enabling clears why it was
   * disabled and restarts the failure clock. Undefined: no such endpoint in the scope.
   */
  async update(m: EntityManager, s: TenantScope, id: string, req: UpdateWebhookRequest): Promise<EndpointRow | undefined> {
    const [row] = returnedRows<EndpointRow>(
      await m.query(
        `UPDATE webhook_endpoints SET
           url = COALESCE($4, url),
           events = COALESCE($5, events),
           description = CASE WHEN $6 THEN $7 ELSE description END,
           enabled = COALESCE($8, enabled),
           disabled_reason = CASE WHEN $8 IS TRUE THEN NULL ELSE disabled_reason END,
           failing_since = CASE WHEN $8 IS TRUE AND NOT enabled THEN NULL ELSE failing_since END,
           rate_limit_per_second = CASE WHEN $9 THEN $10 ELSE rate_limit_per_second END,
           max_in_flight = CASE WHEN $11 THEN $12 ELSE max_in_flight END,
           timeout_ms = CASE WHEN $13 THEN $14 ELSE timeout_ms END,
           retry_schedule = CASE WHEN $15 THEN $16::text[] ELSE retry_schedule END,
           headers = CASE WHEN $17 THEN $18::jsonb ELSE headers END,
           ordering = COALESCE($19, ordering),
           updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND deleted_at IS NULL RETURNING *`,
        [
          id,
          s.tenantId,
          s.mode,
          req.url ?? null,
          req.events ?? null,
          req.description !== undefined,
          req.description ?? null,
          req.enabled ?? null,
          req.rate_limit_per_second !== undefined,
          req.rate_limit_per_second ?? null,
          req.max_in_flight !== undefined,
          req.max_in_flight ?? null,
          req.timeout_ms !== undefined,
          req.timeout_ms ?? null,
          req.retry_schedule !== undefined,
          req.retry_schedule ?? null,
          req.headers !== undefined,
          JSON.stringify(req.headers ?? {}),
          req.ordering ?? null,
        ],
      ),
    );
    return row;
  }

  /**
   * Drops the endpoint's per-contact claims (it no longer orders, or is deleted: claims of attempts in flight would
   * never be released). Marked or not: `detach` calls it right after the mark.
   */
  async dropOrderingClaims(m: EntityManager, s: TenantScope, id: string): Promise<void> {
    await m.query(
      `DELETE FROM webhook_ordering_claims c USING webhook_endpoints e
        WHERE c.endpoint_id = $1 AND e.id = c.endpoint_id AND e.tenant_id = $2 AND e.mode = $3`,
      [id, s.tenantId, s.mode],
    );
  }

  /**
   * Marks the endpoint deleted; false when there was none (or it was marked already). A non-key UPDATE: it takes
   * FOR NO KEY UPDATE, so it neither waits for the FOR KEY SHARE of fan-out batches in flight nor removes anything
   * in the request. A batch that read the endpoint before the mark may still insert deliveries for it: the worker
   * never attempts them (delivery-attempts.repository.ts `load`) and the purge removes them with the endpoint.
   * Call `detach` in the same transaction.
   */
  async delete(m: EntityManager, s: TenantScope, id: string): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await m.query(
        `UPDATE webhook_endpoints SET deleted_at = now(), updated_at = now() WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND deleted_at IS NULL RETURNING id`,
        [id, s.tenantId, s.mode],
      ),
    );
    return rows.length > 0;
  }

  /**
   * What a deleted endpoint must not keep doing: its per-contact claims (nothing would release them) and its
   * recoveries (a running one would keep queueing deliveries no worker sends). Both are few rows per endpoint.
   */
  async detach(m: EntityManager, s: TenantScope, id: string): Promise<void> {
    await this.dropOrderingClaims(m, s, id);
    await m.query(`DELETE FROM webhook_recoveries WHERE endpoint_id = $1 AND tenant_id = $2 AND mode = $3`, [id, s.tenantId, s.mode]);
  }

  /** A new secret, and the current one kept signing until `previousExpiresInMs` from now. */
  async replaceSecret(
    m: EntityManager,
    s: TenantScope,
    id: string,
    secrets: { sealed: string; keyId: string; previousSealed: string; previousExpiresInMs: number },
  ): Promise<EndpointRow | undefined> {
    const [row] = returnedRows<EndpointRow>(
      await m.query(
        `UPDATE webhook_endpoints SET
           previous_secret_sealed = $4,
           previous_secret_expires_at = now() + ($5::bigint * interval '1 millisecond'),
           secret_sealed = $6,
           secret_key_id = $7,
           updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND mode = $3 AND deleted_at IS NULL RETURNING *`,
        [id, s.tenantId, s.mode, secrets.previousSealed, secrets.previousExpiresInMs, secrets.sealed, secrets.keyId],
      ),
    );
    return row;
  }
}
