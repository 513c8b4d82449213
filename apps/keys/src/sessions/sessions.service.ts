/**
 * Tenants, users and sessions: signup creates a tenant and its owner; login
 * issues an access JWT and a refresh token; refresh rotates the refresh token,
 * and presenting an already-rotated one revokes its whole family (theft
 * detection). Failed logins per email are throttled. A session acts in live or
 * test mode (chosen at login, switched at refresh, kept across rotations), like a key's environment.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { DataSource, type EntityManager } from 'typeorm';
import {
  effectiveLimits,
  type Mode,
  type LogoutRequest,
  type PlanName,
  type SessionTokens,
  type SignupResult,
  type LoginRequest,
  type RefreshRequest,
  type RequestContext,
  type SignupRequest,
} from '@sigil/contracts';
import {
  Conflict,
  DomainError,
  Forbidden,
  NotFound,
  currentContext,
  hashSecret,
  isUniqueViolation,
  Metrics,
  newId,
  OutboxWriter,
  randomToken,
  safeEqual,
  signAccessToken,
  Unauthenticated,
} from '@sigil/platform';
import { KEYS_CONFIG, type KeysConfig } from '../config';
import { MembershipsRepository, type SessionSubject } from '../members/memberships.repository';
import { TenantsRepository } from '../tenants/tenants.repository';
import { UsersRepository } from '../users/users.repository';
import { SessionsRepository, type RefreshRow } from './sessions.repository';

// A real argon2id hash of a random password: verifying against it when the
// email is unknown makes a failed login take as long whether or not the user exists.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$F6j+YT8cV4VZGgvBO4+Adg$Nz/0NCixCTSZyODDWf81tps7BMod5AOUaOXoBJfoe30';

@Injectable()
export class SessionsService {
  private readonly logger = new Logger('Sessions');
  private readonly metrics = Metrics.forProcess();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
    private readonly sessions: SessionsRepository,
    private readonly tenants: TenantsRepository,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  async signup(req: SignupRequest): Promise<SignupResult> {
    const passwordHash = await argonHash(req.password);
    // Every tenant starts on starter: plans are the operator's (SPEC §15).
    const plan: PlanName = 'starter';
    const tenant = { id: newId('ten'), name: req.organization_name, plan, limits: effectiveLimits(plan, null) };
    const userId = newId('usr');
    try {
      return await this.dataSource.transaction(async (m) => {
        await this.tenants.insert(m, tenant.id, { name: tenant.name, plan });
        await this.users.insert(m, tenant.id, { id: userId, email: req.email, password_hash: passwordHash, role: 'owner' });
        const memberSince = await this.memberships.insert(m, tenant.id, userId, 'owner');
        const user: SessionSubject = {
          id: userId,
          tenant_id: tenant.id,
          email: req.email,
          role: 'owner',
          tenant_name: tenant.name,
          plan,
          custom_limits: null,
          member_since: memberSince,
        };
        const tokens = await this.issue(m, user, newId('fam'), 'live');
        return { ...tokens, tenant, user: { id: userId, email: req.email, role: 'owner' as const } };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new Conflict('An account with this email already exists.');
      }
      throw err;
    }
  }

  /** Every sign-in of a known user, successful or not, is an event (`user.signed_in` / `user.sign_in_failed`): the audit log records it. */
  async login(req: LoginRequest): Promise<SessionTokens> {
    const windowSeconds = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    const { failures, oldest } = await this.sessions.recentFailures(this.dataSource.manager, req.email, windowSeconds);
    const found = await this.users.findByEmail(this.dataSource.manager, req.email);
    if (failures >= this.config.LOGIN_MAX_FAILURES) {
      if (found) await this.dataSource.transaction((m) => this.signInFailed(m, found, 'throttled'));
      else this.metrics.signInFailures.inc({ reason: 'throttled' });
      const retryAfter = Math.max(1, Math.ceil((oldest!.getTime() + windowSeconds * 1000 - Date.now()) / 1000));
      throw new DomainError(429, 'rate_limit_exceeded', 'Too many failed logins for this account; try again later.', undefined, {
        retry_after: retryAfter,
      });
    }
    const ok = await argonVerify(found?.password_hash ?? DUMMY_HASH, req.password).catch(() => false);
    // A session lands in the user's home tenant, or else their oldest membership (a member removed from every tenant has none).
    const user = found && ok ? await this.memberships.homeSubject(this.dataSource.manager, found.id, found.tenant_id) : undefined;
    if (!user || !ok) {
      await this.dataSource.transaction(async (m) => {
        await this.sessions.recordFailure(m, req.email);
        if (found) await this.signInFailed(m, found, 'invalid_password');
      });
      if (!found) this.unknownEmail(req.email);
      throw new Unauthenticated('invalid_credentials', 'The email or password is incorrect.');
    }
    await this.sessions.clearFailures(this.dataSource.manager, req.email);
    const mode = req.mode ?? 'live';
    return this.dataSource.transaction(async (m) => {
      const tokens = await this.issue(m, user, newId('fam'), mode);
      await this.outbox.append(m, [
        {
          type: 'user.signed_in',
          tenant_id: user.tenant_id,
          mode,
          key: user.id,
          data: { user_id: user.id, email: user.email, mode },
          actor: { type: 'user', id: user.id },
        },
      ]);
      return tokens;
    });
  }

  /**
   * A failed login for an email no account has: no tenant may learn that the
   * address was tried (that would say who has an account), so it is the
   * operator's alone — a counter (`sigil_sign_in_failures_total{reason="unknown_email"}`)
   * and a log line with the client and a digest of the address (docs/audit.md).
   */
  private unknownEmail(email: string): void {
    this.metrics.signInFailures.inc({ reason: 'unknown_email' });
    const client = currentContext()?.client;
    this.logger.warn(`sign-in failed: unknown email (sha256 ${hashSecret(email).slice(0, 16)}) from ${client?.ip ?? 'an unknown address'}`);
  }

  private async signInFailed(m: EntityManager, user: { id: string; tenant_id: string; email: string }, reason: 'invalid_password' | 'throttled'): Promise<void> {
    this.metrics.signInFailures.inc({ reason });
    await this.outbox.append(m, [
      {
        type: 'user.sign_in_failed',
        tenant_id: user.tenant_id,
        mode: 'live',
        key: user.id,
        data: { user_id: user.id, email: user.email, reason },
        actor: { type: 'user', id: user.id },
      },
    ]);
  }

  async refresh(req: RefreshRequest): Promise<SessionTokens> {
    const tokenHash = hashSecret(req.refresh_token);
    const outcome = await this.dataSource.transaction(async (m) => {
      const row = await this.sessions.findRefreshToken(m, tokenHash, true);
      if (!row || !safeEqual(row.token_hash, tokenHash) || row.revoked_at || row.expires_at.getTime() <= Date.now()) {
        return 'invalid' as const;
      }
      if (row.rotated_at) {
        // Someone presented a token that was already exchanged: assume theft, end the session.
        await this.revokeFamily(m, row);
        return 'reused' as const;
      }
      await this.sessions.markRotated(m, row.tenant_id, row.id);
      // The role is read again: a role change shows in the next token; a removed member's session has ended.
      const user = await this.memberships.subject(m, row.tenant_id, row.user_id);
      if (!user) {
        await this.revokeFamily(m, row);
        return 'invalid' as const;
      }
      // The session keeps its mode unless this exchange switches it.
      return this.issue(m, user, row.family_id, req.mode ?? row.mode);
    });
    if (outcome === 'invalid') throw new Unauthenticated('invalid_token', 'The refresh token is invalid, expired or revoked.');
    if (outcome === 'reused') {
      throw new Unauthenticated('invalid_token', 'This refresh token was already used; the session has been revoked. Log in again.');
    }
    return outcome;
  }

  /** Ends the session the refresh token belongs to. Unknown tokens are ignored (no oracle). */
  async logout(req: LogoutRequest): Promise<{ revoked: boolean }> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.sessions.findRefreshToken(m, hashSecret(req.refresh_token));
      if (!row) return { revoked: false };
      await this.revokeFamily(m, row);
      return { revoked: true };
    });
  }

  private async revokeFamily(m: EntityManager, row: RefreshRow): Promise<void> {
    await this.sessions.revokeFamily(m, row.tenant_id, row.family_id);
  }

  /** Ends every session the user has in the tenant, in the caller's transaction (a member removed). */
  async endUserSessions(m: EntityManager, tenantId: string, userId: string): Promise<void> {
    await this.sessions.revokeUser(m, tenantId, userId);
  }

  /** `POST /v1/auth/switch`: a new session in another tenant the user belongs to (404 when they do not). */
  async switchTenant(ctx: RequestContext, tenantId: string): Promise<SessionTokens> {
    if (ctx.principal?.kind !== 'user') throw new Forbidden('insufficient_scope', 'Switching tenants needs a user session, not an API key.');
    return this.dataSource.transaction(async (m) => {
      const user = await this.memberships.subject(m, tenantId, ctx.principal!.id);
      if (!user) throw new NotFound('tenant', tenantId);
      return this.issue(m, user, newId('fam'), 'live');
    });
  }

  /** A new session (a token family of its own) for a member of a tenant. */
  async issue(m: EntityManager, user: SessionSubject, familyId: string, mode: Mode): Promise<SessionTokens> {
    const refreshToken = randomToken('rt');
    const ttl = this.config.REFRESH_TOKEN_TTL_SECONDS;
    await this.sessions.insertRefreshToken(m, user.tenant_id, {
      id: newId('rtk'),
      user_id: user.id,
      family_id: familyId,
      token_hash: hashSecret(refreshToken),
      mode,
      ttlSeconds: ttl,
    });
    const accessToken = signAccessToken(
      {
        sub: user.id,
        tid: user.tenant_id,
        role: user.role,
        email: user.email,
        plan: user.plan,
        lim: effectiveLimits(user.plan, user.custom_limits),
        tname: user.tenant_name,
        mode,
        msn: user.member_since.getTime(),
        typ: 'access',
      },
      this.config.JWT_SECRET,
      this.config.ACCESS_TOKEN_TTL_SECONDS,
    );
    return {
      token_type: 'Bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: this.config.ACCESS_TOKEN_TTL_SECONDS,
      refresh_expires_in: ttl,
      mode,
    };
  }
}
