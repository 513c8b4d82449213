/**
 * Members of a tenant (SPEC §15): invitations (signed, single use,
 * expiring), accepting one (a new user, or an existing user proving it with
 * their password: one user, several tenants), the member list, role changes
 * (ownership is transferred by the owner only) and removal, which revokes the
 * member's refresh tokens in this tenant and, through `member.removed`, ends
 * their access tokens at every gateway within a second. Every change is
 * written with its `member.*` event in the same transaction.
 */
import { Inject, Injectable } from '@nestjs/common';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { DataSource, type EntityManager } from 'typeorm';
import {
  INVITATION_TTL_SECONDS,
  PasswordSchema,
  type AcceptedInvitation,
  type AcceptInvitationRequest,
  type InvitationView,
  type InviteMemberRequest,
  type ListInvitationsQuery,
  type ListMembersQuery,
  type MemberView,
  type PendingInvitationView,
  type RequestContext,
  type Role,
  type UpdateMemberRequest,
  type UserTenantView,
} from '@sigil/contracts';
import {
  Conflict,
  DomainError,
  Forbidden,
  isIdOf,
  isUniqueViolation,
  keysetPage,
  newId,
  NotFound,
  OutboxWriter,
  Paged,
  pageWindow,
  Unauthenticated,
  ValidationFailed,
  issuesToDetails,
} from '@sigil/platform';
import { KEYS_CONFIG, type KeysConfig } from '../config';
import { SessionsService } from '../sessions/sessions.service';
import { UsersRepository } from '../users/users.repository';
import { InvitationsRepository, pendingInvitationView, type InvitationRow } from './invitations.repository';
import { signInvitation, verifyInvitation } from './invitation-token';
import { MembershipsRepository, memberView, type MemberRow } from './memberships.repository';

const isUserId = isIdOf('usr');
const isInvitationId = isIdOf('inv');
/** Members belong to the account, not to its test data: they are managed with live-mode credentials only. */
function assertLive(ctx: RequestContext): void {
  if (ctx.mode !== 'live') throw new Forbidden('insufficient_scope', 'Members are managed with live-mode credentials.');
}

const invalidInvitation = () => new DomainError(400, 'invitation_invalid', 'This invitation token is not valid.');

@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly sessions: SessionsService,
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
    private readonly memberships: MembershipsRepository,
    private readonly invitations: InvitationsRepository,
    private readonly users: UsersRepository,
  ) {}

  async invite(ctx: RequestContext, req: InviteMemberRequest): Promise<InvitationView> {
    assertLive(ctx);
    return this.dataSource.transaction(async (m) => {
      if (await this.memberships.hasEmail(m, ctx.tenant_id, req.email)) throw new Conflict(`${req.email} is already a member of this account.`);
      const id = newId('inv');
      const row = await this.invitations.insert(m, ctx.tenant_id, {
        id,
        email: req.email,
        role: req.role,
        invited_by: ctx.principal?.id ?? null,
        ttlSeconds: INVITATION_TTL_SECONDS,
      });
      await this.outbox.append(m, [
        {
          type: 'member.invited',
          tenant_id: ctx.tenant_id,
          mode: 'live',
          key: ctx.tenant_id,
          data: { invitation_id: id, email: req.email, role: req.role, invited_by: ctx.principal?.id ?? null, expires_at: row.expires_at.toISOString() },
        },
      ]);
      const token = signInvitation({ iid: id, tid: ctx.tenant_id, exp: Math.floor(row.expires_at.getTime() / 1000) }, this.config.JWT_SECRET);
      return { id, email: row.email, role: row.role, expires_at: row.expires_at.toISOString(), created_at: row.created_at.toISOString(), token };
    });
  }

  async accept(req: AcceptInvitationRequest): Promise<AcceptedInvitation> {
    const claims = verifyInvitation(req.token, this.config.JWT_SECRET);
    if (!claims) throw invalidInvitation();
    // A new user's password is hashed before the transaction (argon2 is slow; no lock is held meanwhile).
    const newHash = PasswordSchema.safeParse(req.password).success ? await argonHash(req.password) : undefined;
    try {
      return await this.dataSource.transaction(async (m) => {
        const inv = await this.invitations.lock(m, claims.tid, claims.iid);
        if (!inv) throw invalidInvitation();
        if (inv.accepted_at) throw new DomainError(409, 'invitation_used', 'This invitation was already accepted; ask for a new one.');
        if (inv.revoked_at) throw new DomainError(400, 'invitation_revoked', 'This invitation was revoked; ask for a new one.');
        if (inv.expires_at.getTime() <= Date.now()) throw new DomainError(400, 'invitation_expired', 'This invitation has expired; ask for a new one.');
        const userId = await this.invitee(m, inv, req, newHash);
        await this.memberships.insert(m, inv.tenant_id, userId, inv.role);
        await this.invitations.markAccepted(m, inv.tenant_id, inv.id, userId);
        await this.outbox.append(m, [
          {
            type: 'member.joined',
            tenant_id: inv.tenant_id,
            mode: 'live',
            key: inv.tenant_id,
            data: { user_id: userId, email: inv.email, role: inv.role, invitation_id: inv.id },
          },
        ]);
        const subject = (await this.memberships.subject(m, inv.tenant_id, userId))!;
        const tokens = await this.sessions.issue(m, subject, newId('fam'), 'live');
        return { ...tokens, tenant: { id: inv.tenant_id, name: subject.tenant_name }, user: { id: userId, email: subject.email, role: subject.role } };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new Conflict('This user is already a member of this account.');
      throw err;
    }
  }

  /** The invited user: an existing one proves it with their password; a new one is created with the password given. */
  private async invitee(m: EntityManager, inv: InvitationRow, req: AcceptInvitationRequest, newHash: string | undefined): Promise<string> {
    const existing = await this.users.findByEmail(m, inv.email);
    if (existing) {
      if (!(await argonVerify(existing.password_hash, req.password).catch(() => false))) {
        throw new Unauthenticated('invalid_credentials', 'The password is incorrect.');
      }
      if (await this.memberships.find(m, inv.tenant_id, existing.id)) throw new Conflict('This user is already a member of this account.');
      return existing.id;
    }
    const checked = PasswordSchema.safeParse(req.password);
    if (!checked.success || !newHash) throw new ValidationFailed(issuesToDetails(checked.success ? [] : checked.error.issues, ['password']));
    const id = newId('usr');
    await this.users.insert(m, inv.tenant_id, { id, email: inv.email, password_hash: newHash, role: 'member' });
    return id;
  }

  async list(ctx: RequestContext, q: ListMembersQuery): Promise<Paged<MemberView>> {
    assertLive(ctx);
    const window = pageWindow(q, q.limit, isUserId);
    const rows = await this.memberships.page(this.dataSource.manager, ctx.tenant_id, { after: window.after, limit: window.limit + 1, offset: window.offset });
    const total = await this.memberships.count(this.dataSource.manager, ctx.tenant_id);
    const { items, meta } = keysetPage(rows, window, (r) => r.user_id, { total });
    return new Paged(items.map(memberView), meta);
  }

  /** Pending invitations (not accepted, revoked or expired), newest first; their tokens were shown once and are not kept. */
  async listInvitations(ctx: RequestContext, q: ListInvitationsQuery): Promise<Paged<PendingInvitationView>> {
    assertLive(ctx);
    const window = pageWindow(q, q.limit, isInvitationId);
    const rows = await this.invitations.pagePending(this.dataSource.manager, ctx.tenant_id, { after: window.after, limit: window.limit + 1, offset: window.offset });
    const total = await this.invitations.countPending(this.dataSource.manager, ctx.tenant_id);
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total });
    return new Paged(items.map(pendingInvitationView), meta);
  }

  /** Revokes a pending invitation: its token is refused from now on. 404 for another tenant's, an accepted or an already revoked one. */
  async revokeInvitation(ctx: RequestContext, invitationId: unknown): Promise<{ revoked: boolean }> {
    if (!isInvitationId(invitationId) || ctx.mode !== 'live') throw new NotFound('invitation', String(invitationId));
    return this.dataSource.transaction(async (m) => {
      const row = await this.invitations.revoke(m, ctx.tenant_id, invitationId);
      if (!row) {
        // An accepted invitation still exists (its member does): a conflict, as a second accept is, not a 404.
        if ((await this.invitations.lock(m, ctx.tenant_id, invitationId))?.accepted_at) {
          throw new DomainError(409, 'invitation_used', 'This invitation was already accepted; remove the member instead.');
        }
        throw new NotFound('invitation', invitationId);
      }
      await this.outbox.append(m, [
        {
          type: 'member.invitation_revoked',
          tenant_id: ctx.tenant_id,
          mode: 'live',
          key: ctx.tenant_id,
          data: { invitation_id: row.id, email: row.email, role: row.role },
        },
      ]);
      return { revoked: true };
    });
  }

  /** The tenants the session's user belongs to (a user session only), the current one marked. */
  async listTenants(ctx: RequestContext): Promise<UserTenantView[]> {
    if (ctx.principal?.kind !== 'user') throw new Forbidden('insufficient_scope', 'Listing your tenants needs a user session, not an API key.');
    const rows = await this.memberships.tenantsOf(this.dataSource.manager, ctx.principal.id);
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, current: r.id === ctx.tenant_id, joined_at: r.created_at.toISOString() }));
  }

  async update(ctx: RequestContext, userId: unknown, req: UpdateMemberRequest): Promise<MemberView> {
    return this.dataSource.transaction(async (m) => {
      const target = await this.find(m, ctx, userId);
      if (target.role === req.role) return memberView(target);
      if (req.role === 'owner') return this.transferOwnership(m, ctx, target);
      if (target.role === 'owner') throw new Conflict('The owner’s role changes only by transferring ownership to another member.');
      const row = await this.memberships.setRole(m, ctx.tenant_id, target.user_id, req.role);
      await this.roleChanged(m, ctx.tenant_id, row!, target.role);
      return memberView(row!);
    });
  }

  /** The owner alone makes another member owner; the former owner becomes admin. */
  private async transferOwnership(m: EntityManager, ctx: RequestContext, target: MemberRow): Promise<MemberView> {
    const actor = ctx.principal?.kind === 'user' ? await this.find(m, ctx, ctx.principal.id).catch(() => undefined) : undefined;
    if (actor?.role !== 'owner') throw new Forbidden('insufficient_scope', 'Only the owner can transfer ownership.');
    const demoted = await this.memberships.setRole(m, ctx.tenant_id, actor.user_id, 'admin');
    const promoted = await this.memberships.setRole(m, ctx.tenant_id, target.user_id, 'owner');
    await this.roleChanged(m, ctx.tenant_id, demoted!, 'owner');
    await this.roleChanged(m, ctx.tenant_id, promoted!, target.role);
    return memberView(promoted!);
  }

  async remove(ctx: RequestContext, userId: unknown): Promise<{ removed: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const target = await this.find(m, ctx, userId);
      if (target.role === 'owner') throw new Conflict('The owner cannot be removed; transfer ownership first.');
      await this.memberships.delete(m, ctx.tenant_id, target.user_id);
      // Refresh tokens end here; access tokens at the gateways through the event.
      await this.sessions.endUserSessions(m, ctx.tenant_id, target.user_id);
      await this.outbox.append(m, [
        {
          type: 'member.removed',
          tenant_id: ctx.tenant_id,
          mode: 'live',
          key: ctx.tenant_id,
          // The membership that ended: its sessions stay dead at the gateways even if the user is invited again.
          data: { user_id: target.user_id, email: target.email, role: target.role, member_since: target.created_at.toISOString() },
        },
      ]);
      return { removed: true };
    });
  }

  private async roleChanged(m: EntityManager, tenantId: string, row: MemberRow, previous: Role): Promise<void> {
    await this.outbox.append(m, [
      {
        type: 'member.role_changed',
        tenant_id: tenantId,
        mode: 'live',
        key: tenantId,
        data: { user_id: row.user_id, email: row.email, role: row.role, previous_role: previous },
      },
    ]);
  }

  /** A member of this tenant, locked; 404 for anyone else (another tenant's user included). */
  private async find(m: EntityManager, ctx: RequestContext, userId: unknown): Promise<MemberRow> {
    // Test-mode credentials see no members (as the other mode's objects: 404).
    if (!isUserId(userId) || ctx.mode !== 'live') throw new NotFound('member', String(userId));
    const row = await this.memberships.find(m, ctx.tenant_id, userId, true);
    if (!row) throw new NotFound('member', userId);
    return row;
  }
}
