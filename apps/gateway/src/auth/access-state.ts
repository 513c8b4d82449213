/**
 * What changed about tenants and members after their credentials were
 * issued: an access token carries the plan, limits and role of its issue time
 * and a cached API key its tenant's limits, so operator plan changes
 * (`tenant.plan_changed`) and member role changes and removals
 * (`member.role_changed`, `member.removed`) are applied here, on top of the
 * credential, within a second at every replica (docs/auth.md).
 *
 * Kept in process memory (read on every request, no round trip) and mirrored
 * in two Redis hashes, so a replica that starts later still knows changes
 * newer than the tokens it may be shown. Every entry is the latest known state
 * of its tenant or member; the event's time orders entries, so a replay or a
 * slow bootstrap read never replaces a newer state with an older one.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { KAFKA_NAMESPACE, PLANS, type PlanName, type Role, type TenantLimits } from '@sigil/contracts';
import { REDIS, Unauthenticated } from '@sigil/platform';
import type { Caller } from './request-context';

export interface TenantState {
  plan: PlanName;
  limits: TenantLimits;
  /** Epoch ms of the event. */
  at: number;
}

export interface MemberState {
  /** The member's role now, or null once removed. */
  role: Role | null;
  at: number;
  /**
   * The latest removal and the start of the membership it ended (epoch ms).
   * Kept when the user is invited again: the sessions of the ended membership
   * stay dead for the rest of their life, only the new membership's work.
   */
  removed?: { at: number; member_since?: number };
}

/** Member entries only matter while an access token issued before them can still be presented. */
const MEMBER_STATE_TTL_MS = 24 * 3600 * 1000;
const ISSUE_MARGIN_MS = 1000;

@Injectable()
export class AccessState implements OnApplicationBootstrap {
  private readonly logger = new Logger('AccessState');
  private readonly tenants = new Map<string, TenantState>();
  private readonly members = new Map<string, MemberState>();
  private readonly tenantsKey = `${KAFKA_NAMESPACE}:access:tenants`;
  private readonly membersKey = `${KAFKA_NAMESPACE}:access:members`;

  constructor(@Inject(REDIS) private readonly redis: Redis | Cluster) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.load();
    } catch (err) {
      // Events still arrive; only changes made while no gateway ran would be missed until the credentials expire.
      this.logger.error(`could not load access changes from Redis: ${String(err)}`);
    }
  }

  /** Loads the changes other replicas recorded (at start). */
  async load(now = Date.now()): Promise<void> {
    const [tenants, members] = await Promise.all([this.redis.hgetall(this.tenantsKey), this.redis.hgetall(this.membersKey)]);
    for (const [id, raw] of Object.entries(tenants)) this.keepNewer(this.tenants, id, JSON.parse(raw) as TenantState);
    const expired: string[] = [];
    for (const [id, raw] of Object.entries(members)) {
      const state = JSON.parse(raw) as MemberState;
      if (state.at < now - MEMBER_STATE_TTL_MS) expired.push(id);
      else this.members.set(id, mergeMember(this.members.get(id), state));
    }
    if (expired.length) await this.redis.hdel(this.membersKey, ...expired);
  }

  async tenantChanged(tenantId: string, state: TenantState): Promise<void> {
    if (this.keepNewer(this.tenants, tenantId, state)) await this.redis.hset(this.tenantsKey, tenantId, JSON.stringify(state));
  }

  async memberChanged(tenantId: string, userId: string, state: MemberState): Promise<void> {
    const id = memberId(tenantId, userId);
    const current = this.members.get(id);
    const merged = mergeMember(current, state);
    if (JSON.stringify(merged) === JSON.stringify(current)) return;
    this.members.set(id, merged);
    await this.redis.hset(this.membersKey, id, JSON.stringify(merged));
  }

  /** The caller's tenant plan and limits now: the latest operator change, else what the credential carries. */
  tenantOf(caller: Caller): { plan: PlanName; limits: TenantLimits } {
    const tenantId = caller.kind === 'api_key' ? caller.key.tenant.id : caller.claims.tid;
    const changed = this.tenants.get(tenantId);
    if (changed) return changed;
    if (caller.kind === 'api_key') return { plan: caller.key.tenant.plan, limits: caller.key.tenant.limits ?? PLANS[caller.key.tenant.plan] };
    return { plan: caller.claims.plan, limits: caller.claims.lim ?? PLANS[caller.claims.plan] };
  }

  /**
   * The caller as it stands now: a session whose member was removed after the
   * token was issued is refused (401), one whose role changed acts with the
   * new role. API keys belong to the tenant, not to a member: unchanged.
   */
  current(caller: Caller): Caller {
    if (caller.kind !== 'user') return caller;
    const { claims } = caller;
    const changed = this.memberSince(claims.tid, claims.sub, claims.iat, claims.msn);
    if (!changed) return caller;
    if (changed.role === null) throw new Unauthenticated('invalid_token', 'This session ended: the user is no longer a member of this account.');
    return { kind: 'user', claims: { ...claims, role: changed.role } };
  }

  /**
   * A session's member state since its token was issued: `undefined` when
   * nothing changed, `{role: null}` when its membership was ended after it —
   * whatever happened since (a re-invitation starts a new membership; the
   * ended one's tokens stay dead).
   */
  memberSince(tenantId: string, userId: string, issuedAtSeconds: number, memberSinceMs?: number): MemberState | undefined {
    const state = this.members.get(memberId(tenantId, userId));
    if (!state) return undefined;
    const { removed } = state;
    if (removed) {
      // A token names its membership (`msn`): exact. Older tokens and events carry none: then iat has second
      // precision and the event's time is taken just before its transaction commits, so a token issued up to a
      // second after the removal counts as older (refused, never wrongly trusted).
      const ofEndedMembership =
        memberSinceMs !== undefined && removed.member_since !== undefined
          ? memberSinceMs <= removed.member_since
          : issuedAtSeconds * 1000 <= removed.at + ISSUE_MARGIN_MS;
      if (ofEndedMembership) return { role: null, at: removed.at };
    }
    // A role change applies to tokens issued before it (same margin); a token of a membership begun after the
    // latest removal is trusted even before this replica hears of the re-invitation.
    if (state.role === null || issuedAtSeconds * 1000 > state.at + ISSUE_MARGIN_MS) return undefined;
    return state;
  }

  private keepNewer<T extends { at: number }>(map: Map<string, T>, id: string, state: T): boolean {
    const current = map.get(id);
    if (current && current.at > state.at) return false;
    map.set(id, state);
    return true;
  }
}

/**
 * The newer state wins (by event time), but the latest removal is kept from
 * either side: a re-invitation must not revive the ended membership's tokens.
 * A removal recorded before removals were kept separately (`{role: null}`
 * alone) counts as one.
 */
export function mergeMember(current: MemberState | undefined, next: MemberState): MemberState {
  const removals = [current, next]
    .map((s) => s?.removed ?? (s && s.role === null ? { at: s.at } : undefined))
    .filter((r): r is NonNullable<MemberState['removed']> => r !== undefined);
  const removed = removals.reduce<MemberState['removed']>((a, b) => (!a || b.at > a.at ? b : a), undefined);
  const latest = current && current.at > next.at ? current : next;
  return { role: latest.role, at: latest.at, ...(removed ? { removed } : {}) };
}

function memberId(tenantId: string, userId: string): string {
  return `${tenantId}:${userId}`;
}
