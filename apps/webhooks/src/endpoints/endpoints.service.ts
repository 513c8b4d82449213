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
import { NotFound, OutboxWriter, Paged, ValidationFailed, newId, isIdOf, keysetPage, pageWindow, scopeOf, type NewEvent } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { TargetPolicy } from '../delivery/target-policy';
import { pageClause } from '../paging/keyset-page';
import { EndpointSecrets } from '../secrets/endpoint-secrets';
import { generateSecret } from '../signing/webhook-signer';
import { endpointView, type EndpointRow } from './endpoint.row';
import { EndpointsRepository } from './endpoints.repository';

@Injectable()
export class EndpointsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: EndpointsRepository,
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
      const row = await this.repository.insert(m, scopeOf(ctx), { id, request: req, sealed: sealed.sealed, keyId: sealed.keyId });
      await this.outbox.append(m, [endpointEvent(ctx, 'webhook.created', row)]);
      return { ...endpointView(row), secret };
    });
  }

  async list(ctx: RequestContext, query: ListWebhooksQuery): Promise<Paged<WebhookView>> {
    const window = pageWindow(query, query.limit, isIdOf('whe'));
    const clause = pageClause(window, 3);
    const m = this.dataSource.manager;
    const rows = await this.repository.page(m, scopeOf(ctx), clause);
    const count = await this.repository.count(m, scopeOf(ctx));
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total: count });
    return new Paged(items.map(endpointView), meta);
  }

  /** The endpoint of this tenant and mode, or 404 (also for another tenant's id). */
  async find(ctx: RequestContext, id: unknown): Promise<EndpointRow> {
    if (!WebhookIdSchema.safeParse(id).success) throw new NotFound('webhook', String(id));
    const row = await this.repository.find(this.dataSource.manager, scopeOf(ctx), id as string);
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
      const row = await this.repository.update(m, scopeOf(ctx), before.id, req);
      if (!row) throw new NotFound('webhook', before.id);
      // Unordered from now on: per-contact claims of attempts in flight would never be released.
      if (req.ordering === 'none') await this.repository.dropOrderingClaims(m, scopeOf(ctx), row.id);
      await this.outbox.append(m, [{ ...endpointEvent(ctx, 'webhook.updated', row), previous: { ...endpointSnapshot(before) } }]);
      return endpointView(row);
    });
  }

  async delete(ctx: RequestContext, id: unknown): Promise<null> {
    const row = await this.find(ctx, id);
    await this.dataSource.transaction(async (m) => {
      // Marked, not removed: its deliveries and attempts go with the retention purge, in batches, not in this request.
      if (!(await this.repository.delete(m, scopeOf(ctx), row.id))) throw new NotFound('webhook', row.id);
      await this.repository.detach(m, scopeOf(ctx), row.id);
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
      const locked = await this.repository.find(m, scopeOf(ctx), id as string, true);
      if (!locked) throw new NotFound('webhook', id as string);
      const secret = generateSecret();
      const next = this.secrets.seal(locked.id, secret);
      const previous = this.secrets.seal(locked.id, this.secrets.current(locked.id, locked));
      const row = await this.repository.replaceSecret(m, scopeOf(ctx), locked.id, {
        sealed: next.sealed,
        keyId: next.keyId,
        previousSealed: previous.sealed,
        previousExpiresInMs: this.config.WEBHOOK_SECRET_ROTATION_GRACE,
      });
      if (!row) throw new NotFound('webhook', locked.id);
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
