/**
 * Consent use cases (SPEC §12): the history of a contact's subscription
 * status, double opt-in (`pending` until the contact confirms with a token)
 * and one-click unsubscribe tokens (RFC 8058). Token routes are public: the
 * tenant, mode and contact come from the verified token, never from the call.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  DEFAULT_PAGE_LIMIT,
  type ConsentRecordView,
  type ListConsentQuery,
  type RequestContext,
  type SubscriptionChangeView,
  type SubscriptionStatus,
  type SubscriptionTokenView,
} from '@sigil/contracts';
import { DomainError, keysetPage, NotFound, OutboxWriter, Paged, pageWindow, scopeOf, type TenantScope } from '@sigil/platform';
import { applyUpdate } from '../contacts/contact-changes';
import { PG_TIMESTAMP } from '../contacts/contact-list.query';
import { snapshotOf, type ContactRow } from '../contacts/contact.entity';
import { ContactsRepository } from '../contacts/contacts.repository';
import { contactIdOrNotFound } from '../contacts/contacts.service';
import { actorOf, consentOf, type ConsentSource } from './consent-changes';
import { ConsentRepository } from './consent.repository';
import { signToken, verifyToken, type TokenClaims, type TokenPurpose } from './subscription-tokens';

function scopeOfClaims(claims: TokenClaims): TenantScope {
  return { tenantId: claims.t, mode: claims.m };
}

export const CONSENT_SETTINGS = Symbol('CONSENT_SETTINGS');
export interface ConsentSettings {
  /** HMAC key of subscription tokens (CONSENT_TOKEN_SECRET). */
  secret: string;
  confirmTtlSeconds: number;
  unsubscribeTtlSeconds: number;
}

type Position = [string, string];
const isPosition = (v: unknown): v is Position => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && PG_TIMESTAMP.test(v[0]) && typeof v[1] === 'string';

@Injectable()
export class ConsentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly contacts: ContactsRepository,
    private readonly consent: ConsentRepository,
    @Inject(CONSENT_SETTINGS) private readonly settings: ConsentSettings,
  ) {}

  async history(ctx: RequestContext, id: unknown, query: ListConsentQuery): Promise<Paged<ConsentRecordView>> {
    const contactId = contactIdOrNotFound(id);
    const scope = scopeOf(ctx);
    const m = this.dataSource.manager;
    if (!(await this.contacts.findById(m, scope, contactId))) throw new NotFound('contact', contactId);
    const window = pageWindow(query, DEFAULT_PAGE_LIMIT, isPosition);
    const rows = await this.consent.list(m, scope, contactId, window.limit + 1, window.after);
    const { items, meta } = keysetPage(rows, { limit: window.limit }, (r): Position => [r.pos, r.id]);
    return new Paged(
      items.map(({ status, source, ip, actor, occurred_at }) => ({ status, source, ip, actor, occurred_at })),
      meta,
    );
  }

  /** Double opt-in: the contact becomes `pending` until it confirms with the token. */
  async requestConfirmation(ctx: RequestContext, id: unknown): Promise<SubscriptionTokenView> {
    const contactId = contactIdOrNotFound(id);
    const scope = scopeOf(ctx);
    await this.dataSource.transaction((m) => this.setStatus(m, scope, contactId, 'pending', { source: 'double_opt_in_requested', ip: null, actor: actorOf(ctx) }));
    return this.token('confirm', scope, contactId, this.settings.confirmTtlSeconds);
  }

  async unsubscribeToken(ctx: RequestContext, id: unknown): Promise<SubscriptionTokenView> {
    const contactId = contactIdOrNotFound(id);
    const scope = scopeOf(ctx);
    if (!(await this.contacts.findById(this.dataSource.manager, scope, contactId))) throw new NotFound('contact', contactId);
    return this.token('unsubscribe', scope, contactId, this.settings.unsubscribeTtlSeconds);
  }

  async confirm(token: string, ip: string | null): Promise<SubscriptionChangeView> {
    const claims = verifyToken(this.settings.secret, token, 'confirm', new Date());
    return this.dataSource.transaction(async (m) => {
      if (!(await this.consent.useToken(m, claims.t, claims.j, new Date(claims.e * 1000)))) {
        throw new DomainError(409, 'token_used', 'This token was already used.');
      }
      const { id } = await this.tokenContact(m, claims);
      await this.setStatus(m, scopeOfClaims(claims), id, 'subscribed', { source: 'double_opt_in', ip, actor: 'contact' });
      return { contact_id: id, subscription_status: 'subscribed' };
    });
  }

  /**
   * RFC 8058 one-click: idempotent, so the token works until it expires — a
   * mail client may post twice, and a contact who subscribed again since and
   * clicks an older message's link means to leave. A contact already
   * `unsubscribed` (or `complained`, which is stricter) is left as it is.
   */
  async unsubscribe(token: string, ip: string | null): Promise<SubscriptionChangeView> {
    const claims = verifyToken(this.settings.secret, token, 'unsubscribe', new Date());
    return this.dataSource.transaction(async (m) => {
      const { id, subscription_status: current } = await this.tokenContact(m, claims);
      if (current === 'unsubscribed' || current === 'complained') return { contact_id: id, subscription_status: current };
      await this.setStatus(m, scopeOfClaims(claims), id, 'unsubscribed', { source: 'one_click_unsubscribe', ip, actor: 'contact' });
      return { contact_id: id, subscription_status: 'unsubscribed' };
    });
  }

  /** The token's contact, locked; it may have been erased since: the token then means nothing (and says nothing about why). */
  private async tokenContact(m: EntityManager, claims: TokenClaims): Promise<ContactRow> {
    const found = await this.contacts.findById(m, scopeOfClaims(claims), claims.c, true);
    if (!found) throw new DomainError(400, 'invalid_token', 'This token is not valid.');
    return found;
  }

  private async setStatus(m: EntityManager, scope: TenantScope, contactId: string, status: SubscriptionStatus, how: ConsentSource): Promise<void> {
    const row = await this.contacts.findById(m, scope, contactId, true);
    if (!row) throw new NotFound('contact', contactId);
    const current = snapshotOf(row);
    const { next, changed } = applyUpdate(current, { subscription_status: status }, new Map(), new Date());
    if (!next) return;
    await this.contacts.updateMany(m, scope, [next]);
    const tenant = { tenant_id: scope.tenantId, mode: scope.mode };
    const consent = consentOf(tenant, [{ before: current.subscription_status, after: next }], how);
    await this.consent.append(m, scope, consent.rows);
    await this.outbox.append(m, [{ type: 'contact.updated', ...tenant, key: next.id, data: { contact: next, changed } }, ...consent.events]);
  }

  private token(purpose: TokenPurpose, scope: TenantScope, contactId: string, ttlSeconds: number): SubscriptionTokenView {
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    return {
      token: signToken(this.settings.secret, { p: purpose, t: scope.tenantId, m: scope.mode, c: contactId, e: expires }),
      expires_at: new Date(expires * 1000).toISOString(),
    };
  }
}
