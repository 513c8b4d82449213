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
  returnedRows,
  Unauthenticated,
  ValidationFailed,
  issuesToDetails,
} from '@sigil/platform';
import { KEYS_CONFIG, type KeysConfig } from '../config';
import { sessionSubject, SessionsService } from '../sessions/sessions.service';
import { signInvitation, verifyInvitation } from './invitation-token';

interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  created_at: Date;
}

interface InvitationRow {
  id: string;
  tenant_id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

const toView = (r: MemberRow): MemberView => ({ user_id: r.user_id, email: r.email, role: r.role, joined_at: r.created_at.toISOString() });
const toPendingView = (r: InvitationRow): PendingInvitationView => ({
  id: r.id,
  email: r.email,
  role: r.role,
  invited_by: r.invited_by,
  expires_at: r.expires_at.toISOString(),
  created_at: r.created_at.toISOString(),
});
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
  ) {}

  async invite(ctx: RequestContext, req: InviteMemberRequest): Promise<InvitationView> {
    assertLive(ctx);
    return this.dataSource.transaction(async (m) => {
      const [member] = await m.query(`SELECT 1 FROM memberships ms JOIN users u ON u.id = ms.user_id WHERE ms.tenant_id = $1 AND lower(u.email) = $2`, [
        ctx.tenant_id,
        req.email,
      ]);
      if (member) throw new Conflict(`${req.email} is already a member of this account.`);
      const id = newId('inv');
      const [row]: InvitationRow[] = await m.query(
        `INSERT INTO invitations (id, tenant_id, email, role, invited_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING *`,
        [id, ctx.tenant_id, req.email, req.role, ctx.principal?.id ?? null, INVITATION_TTL_SECONDS],
      );
      await this.outbox.append(m, [
        {
          type: 'member.invited',
          tenant_id: ctx.tenant_id,
          mode: 'live',
          key: ctx.tenant_id,
          data: { invitation_id: id, email: req.email, role: req.role, invited_by: ctx.principal?.id ?? null, expires_at: row!.expires_at.toISOString() },
        },
      ]);
      const token = signInvitation({ iid: id, tid: ctx.tenant_id, exp: Math.floor(row!.expires_at.getTime() / 1000) }, this.config.JWT_SECRET);
      return { id, email: row!.email, role: row!.role, expires_at: row!.expires_at.toISOString(), created_at: row!.created_at.toISOString(), token };
    });
  }

  async accept(req: AcceptInvitationRequest): Promise<AcceptedInvitation> {
    const claims = verifyInvitation(req.token, this.config.JWT_SECRET);
    if (!claims) throw invalidInvitation();
    // A new user's password is hashed before the transaction (argon2 is slow; no lock is held meanwhile).
    const newHash = req.password !== undefined && PasswordSchema.safeParse(req.password).success ? await argonHash(req.password) : undefined;
    try {
      return await this.dataSource.transaction(async (m) => {
        const [inv]: InvitationRow[] = await m.query(`SELECT * FROM invitations WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [claims.iid, claims.tid]);
        if (!inv) throw invalidInvitation();
        if (inv.accepted_at) throw new DomainError(409, 'invitation_used', 'This invitation was already accepted; ask for a new one.');
        if (inv.revoked_at) throw new DomainError(400, 'invitation_revoked', 'This invitation was revoked; ask for a new one.');
        if (inv.expires_at.getTime() <= Date.now()) throw new DomainError(400, 'invitation_expired', 'This invitation has expired; ask for a new one.');
        const userId = await this.invitee(m, inv, req, newHash);
        await m.query(`INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)`, [inv.tenant_id, userId, inv.role]);
        await m.query(`UPDATE invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1`, [inv.id, userId]);
        await this.outbox.append(m, [
          {
            type: 'member.joined',
            tenant_id: inv.tenant_id,
            mode: 'live',
            key: inv.tenant_id,
            data: { user_id: userId, email: inv.email, role: inv.role, invitation_id: inv.id },
          },
        ]);
        const subject = (await sessionSubject(m, userId, inv.tenant_id))!;
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
    const [existing]: { id: string; password_hash: string }[] = await m.query(`SELECT id, password_hash FROM users WHERE lower(email) = $1`, [inv.email]);
    if (existing) {
      if (req.password === undefined) {
        throw new ValidationFailed([{ field: 'password', code: 'required', message: `${inv.email} already has an account: send its password to join.` }]);
      }
      if (!(await argonVerify(existing.password_hash, req.password).catch(() => false))) {
        throw new Unauthenticated('invalid_credentials', 'The password is incorrect.');
      }
      const [member] = await m.query(`SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2`, [inv.tenant_id, existing.id]);
      if (member) throw new Conflict('This user is already a member of this account.');
      return existing.id;
    }
    if (req.password === undefined) throw new ValidationFailed([{ field: 'password', code: 'required', message: 'Choose a password for the new account.' }]);
    const checked = PasswordSchema.safeParse(req.password);
    if (!checked.success || !newHash) throw new ValidationFailed(issuesToDetails(checked.success ? [] : checked.error.issues, ['password']));
    const id = newId('usr');
    await m.query(`INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, 'member')`, [id, inv.tenant_id, inv.email, newHash]);
    return id;
  }

  async list(ctx: RequestContext, q: ListMembersQuery): Promise<Paged<MemberView>> {
    assertLive(ctx);
    const window = pageWindow(q, q.limit, isUserId);
    const params: unknown[] = [ctx.tenant_id];
    let where = 'ms.tenant_id = $1';
    if (window.after !== undefined) {
      params.push(window.after);
      where += ` AND ms.user_id > $${params.length}`;
    }
    params.push(window.limit + 1, window.offset);
    const rows: MemberRow[] = await this.dataSource.query(
      `SELECT ms.user_id, u.email, ms.role, ms.created_at FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ${where} ORDER BY ms.user_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM memberships WHERE tenant_id = $1`, [ctx.tenant_id]);
    const { items, meta } = keysetPage(rows, window, (r) => r.user_id, { total });
    return new Paged(items.map(toView), meta);
  }

  /** Pending invitations (not accepted, revoked or expired), newest first; their tokens were shown once and are not kept. */
  async listInvitations(ctx: RequestContext, q: ListInvitationsQuery): Promise<Paged<PendingInvitationView>> {
    assertLive(ctx);
    const window = pageWindow(q, q.limit, isInvitationId);
    const pending = 'tenant_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()';
    const params: unknown[] = [ctx.tenant_id];
    let where = pending;
    if (window.after !== undefined) {
      params.push(window.after);
      where += ` AND id < $${params.length}`;
    }
    params.push(window.limit + 1, window.offset);
    const rows: InvitationRow[] = await this.dataSource.query(
      `SELECT * FROM invitations WHERE ${where} ORDER BY id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const [{ total }] = await this.dataSource.query(`SELECT count(*)::int AS total FROM invitations WHERE ${pending}`, [ctx.tenant_id]);
    const { items, meta } = keysetPage(rows, window, (r) => r.id, { total });
    return new Paged(items.map(toPendingView), meta);
  }

  /** Revokes a pending invitation: its token is refused from now on. 404 for another tenant's, an accepted or an already revoked one. */
  async revokeInvitation(ctx: RequestContext, invitationId: unknown): Promise<{ revoked: boolean }> {
    if (!isInvitationId(invitationId) || ctx.mode !== 'live') throw new NotFound('invitation', String(invitationId));
    return this.dataSource.transaction(async (m) => {
      const [row] = returnedRows<InvitationRow>(
        await m.query(`UPDATE invitations SET revoked_at = now() WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING *`, [
          invitationId,
          ctx.tenant_id,
        ]),
      );
      if (!row) throw new NotFound('invitation', invitationId);
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
    const rows: { id: string; name: string; role: Role; created_at: Date }[] = await this.dataSource.query(
      `SELECT t.id, t.name, ms.role, ms.created_at FROM memberships ms JOIN tenants t ON t.id = ms.tenant_id
        WHERE ms.user_id = $1 ORDER BY ms.created_at, t.id`,
      [ctx.principal.id],
    );
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, current: r.id === ctx.tenant_id, joined_at: r.created_at.toISOString() }));
  }

  async update(ctx: RequestContext, userId: unknown, req: UpdateMemberRequest): Promise<MemberView> {
    return this.dataSource.transaction(async (m) => {
      const target = await this.find(m, ctx, userId);
      if (target.role === req.role) return toView(target);
      if (req.role === 'owner') return this.transferOwnership(m, ctx, target);
      if (target.role === 'owner') throw new Conflict('The owner’s role changes only by transferring ownership to another member.');
      const [row] = returnedRows<MemberRow>(
        await m.query(
          `UPDATE memberships ms SET role = $3 FROM users u WHERE u.id = ms.user_id AND ms.tenant_id = $1 AND ms.user_id = $2
         RETURNING ms.user_id, u.email, ms.role, ms.created_at`,
          [ctx.tenant_id, target.user_id, req.role],
        ),
      );
      await this.roleChanged(m, ctx.tenant_id, row!, target.role);
      return toView(row!);
    });
  }

  /** The owner alone makes another member owner; the former owner becomes admin. */
  private async transferOwnership(m: EntityManager, ctx: RequestContext, target: MemberRow): Promise<MemberView> {
    const actor = ctx.principal?.kind === 'user' ? await this.find(m, ctx, ctx.principal.id).catch(() => undefined) : undefined;
    if (actor?.role !== 'owner') throw new Forbidden('insufficient_scope', 'Only the owner can transfer ownership.');
    const [demoted] = returnedRows<MemberRow>(
      await m.query(
        `UPDATE memberships ms SET role = 'admin' FROM users u WHERE u.id = ms.user_id AND ms.tenant_id = $1 AND ms.user_id = $2
       RETURNING ms.user_id, u.email, ms.role, ms.created_at`,
        [ctx.tenant_id, actor.user_id],
      ),
    );
    const [promoted] = returnedRows<MemberRow>(
      await m.query(
        `UPDATE memberships ms SET role = 'owner' FROM users u WHERE u.id = ms.user_id AND ms.tenant_id = $1 AND ms.user_id = $2
       RETURNING ms.user_id, u.email, ms.role, ms.created_at`,
        [ctx.tenant_id, target.user_id],
      ),
    );
    await this.roleChanged(m, ctx.tenant_id, demoted!, 'owner');
    await this.roleChanged(m, ctx.tenant_id, promoted!, target.role);
    return toView(promoted!);
  }

  async remove(ctx: RequestContext, userId: unknown): Promise<{ removed: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const target = await this.find(m, ctx, userId);
      if (target.role === 'owner') throw new Conflict('The owner cannot be removed; transfer ownership first.');
      await m.query(`DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2`, [ctx.tenant_id, target.user_id]);
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
    const [row]: MemberRow[] = await m.query(
      `SELECT ms.user_id, u.email, ms.role, ms.created_at FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ms.tenant_id = $1 AND ms.user_id = $2 FOR UPDATE OF ms`,
      [ctx.tenant_id, userId],
    );
    if (!row) throw new NotFound('member', userId);
    return row;
  }
}
