/** Webhook endpoint use cases: create, list, read, change, delete, rotate the secret. */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  WebhookIdSchema,
  type RequestContext,
  type WebhookView,
  type WebhookWithSecretView,
  type CreateWebhookRequest,
  type ListWebhooksQuery,
  type UpdateWebhookRequest,
  type Mode,
  type WebhookEndpointSnapshot,
} from '@sigil/contracts';
import { NotFound, OutboxWriter, Paged, ValidationFailed, newId, isIdOf, keysetPage, pageWindow, type NewEvent } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { TargetPolicy } from '../delivery/target-policy';
import { pageClause } from '../paging/keyset-page';
import { EndpointSecrets } from '../secrets/endpoint-secrets';
import { generateSecret } from '../signing/webhook-signer';
import { endpointView, type EndpointRow } from './endpoint.row';

@Injectable()
export class EndpointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: TargetPolicy,
    private readonly outbox: OutboxWriter,
    private readonly secrets: EndpointSecrets,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  private checkUrl(url: string): void {
    const refusal = this.policy.refusalOfNewTarget(url);
    if (refusal) throw new ValidationFailed([{ field: 'url', code: 'invalid', message: refusal }]);
  }

  async create(ctx: RequestContext, req: CreateWebhookRequest): Promise<WebhookWithSecretView> {
    this.checkUrl(req.url);
    const id = newId('whe');
    const secret = generateSecret();
    const sealed = this.secrets.seal(id, secret);
    return this.dataSource.transaction(async (m) => {
      const [row] = (await m.query(
        `INSERT INTO webhook_endpoints (id, tenant_id, mode, url, events, description, enabled, secret_sealed, secret_key_id,
                                        rate_limit_per_second, max_in_flight, timeout_ms, retry_schedule, headers, ordering)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
        [
          id,
          ctx.tenant_id,
          ctx.mode,
          req.url,
          req.events,
          req.description ?? null,
          req.enabled ?? true,
          sealed.sealed,
          sealed.keyId,
          req.rate_limit_per_second ?? null,
          req.max_in_flight ?? null,
          req.timeout_ms ?? null,
          req.retry_schedule ?? null,
          JSON.stringify(req.headers ?? {}),
          req.ordering ?? 'none',
        ],
      )) as EndpointRow[];
      await this.outbox.append(m, [endpointEvent(ctx, 'webhook.created', row!)]);
      return { ...endpointView(row!), secret };
    });
  }

  async list(ctx: RequestContext, query: ListWebhooksQuery): Promise<Paged<WebhookView>> {
    const window = pageWindow(query, query.limit, isIdOf('whe'));
    const clause = pageClause(window, 3);
    const rows = (await this.dataSource.query(`SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND mode = $2${clause.where}${clause.tail}`, [
      ctx.tenant_id,
      ctx.mode,
      ...clause.params,
    ])) as EndpointRow[];
    const [{ count }] = (await this.dataSource.query(`SELECT count(*)::int AS count FROM webhook_endpoints WHERE tenant_id = $1 AND mode = $2`, [
      ctx.tenant_id,
      ctx.mode,
    ])) as [{ count: number }];
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total: count });
    return new Paged(items.map(endpointView), meta);
  }

  /** The endpoint of this tenant and mode, or 404 (also for another tenant's id). */
  async find(ctx: RequestContext, id: unknown): Promise<EndpointRow> {
    if (!WebhookIdSchema.safeParse(id).success) throw new NotFound('webhook', String(id));
    const [row] = (await this.dataSource.query(`SELECT * FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND mode = $3`, [
      id,
      ctx.tenant_id,
      ctx.mode,
    ])) as EndpointRow[];
    if (!row) throw new NotFound('webhook', id as string);
    return row;
  }

  async get(ctx: RequestContext, id: unknown): Promise<WebhookView> {
    return endpointView(await this.find(ctx, id));
  }

  async update(ctx: RequestContext, id: unknown, req: UpdateWebhookRequest): Promise<WebhookView> {
    const before = await this.find(ctx, id);
    if (req.url !== undefined) this.checkUrl(req.url);
    return this.dataSource.transaction(async (m) => {
      // Re-enabling clears why it was disabled and restarts the failure clock.
      const [rows] = (await m.query(
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
         WHERE id = $1 AND tenant_id = $2 AND mode = $3 RETURNING *`,
        [
          id,
          ctx.tenant_id,
          ctx.mode,
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
      )) as [EndpointRow[], number];
      if (!rows[0]) throw new NotFound('webhook', id as string);
      // Unordered from now on: per-contact claims of attempts in flight would never be released.
      if (req.ordering === 'none') await m.query(`DELETE FROM webhook_ordering_claims WHERE endpoint_id = $1`, [id]);
      await this.outbox.append(m, [{ ...endpointEvent(ctx, 'webhook.updated', rows[0]), previous: { ...endpointSnapshot(before) } }]);
      return endpointView(rows[0]);
    });
  }

  async delete(ctx: RequestContext, id: unknown): Promise<null> {
    const row = await this.find(ctx, id);
    await this.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND mode = $3`, [id, ctx.tenant_id, ctx.mode]);
      await this.outbox.append(m, [
        { type: 'webhook.deleted', tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.id, data: { id: row.id }, previous: { ...endpointSnapshot(row) } },
      ]);
    });
    return null;
  }

  /**
   * A new secret; the current one keeps signing (second signature) for the
   * grace period. Both are sealed again with the current KEK, so a row's
   * secrets always share one key id.
   */
  async rotateSecret(ctx: RequestContext, id: unknown): Promise<WebhookWithSecretView> {
    await this.find(ctx, id);
    return this.dataSource.transaction(async (m) => {
      const [locked] = (await m.query(`SELECT * FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 AND mode = $3 FOR UPDATE`, [
        id,
        ctx.tenant_id,
        ctx.mode,
      ])) as EndpointRow[];
      if (!locked) throw new NotFound('webhook', id as string);
      const secret = generateSecret();
      const next = this.secrets.seal(locked.id, secret);
      const previous = this.secrets.seal(locked.id, this.secrets.current(locked.id, locked));
      const [rows] = (await m.query(
        `UPDATE webhook_endpoints SET
           previous_secret_sealed = $2,
           previous_secret_expires_at = now() + ($3::bigint * interval '1 millisecond'),
           secret_sealed = $4,
           secret_key_id = $5,
           updated_at = now()
         WHERE id = $1 RETURNING *`,
        [locked.id, previous.sealed, this.config.WEBHOOK_SECRET_ROTATION_GRACE, next.sealed, next.keyId],
      )) as [EndpointRow[], number];
      const row = rows[0]!;
      const previousExpiresAt = row.previous_secret_expires_at?.toISOString() ?? new Date().toISOString();
      await this.outbox.append(m, [
        { type: 'webhook.secret_rotated', tenant_id: ctx.tenant_id, mode: ctx.mode, key: row.id, data: { id: row.id, previous_secret_expires_at: previousExpiresAt } },
      ]);
      return { ...endpointView(row), secret, previous_secret_expires_at: row.previous_secret_expires_at?.toISOString() ?? null };
    });
  }
}

/** What an endpoint's events say about it: never its secrets. */
function endpointSnapshot(row: EndpointRow): WebhookEndpointSnapshot {
  return { id: row.id, url: row.url, events: row.events, description: row.description, enabled: row.enabled };
}

function endpointEvent(ctx: RequestContext, type: 'webhook.created' | 'webhook.updated', row: EndpointRow): NewEvent {
  return { type, tenant_id: ctx.tenant_id, mode: row.mode as Mode, key: row.id, data: { endpoint: endpointSnapshot(row) } };
}
