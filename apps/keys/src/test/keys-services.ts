/**
 * The keys service's objects wired by hand for integration tests (no Nest, no
 * Kafka): its repositories and services on the test's database, with the
 * configuration a test overrides (`LOGIN_MAX_FAILURES`…); a signed-up
 * tenant with its owner's request context, which most service tests start
 * from; and a bare tenant row, which repository tests start from.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { KeyRpc, type RequestContext, type SignupResult } from '@sigil/contracts';
import { newId, OutboxWriter } from '@sigil/platform';
import { testPassword, uniqueEmail, validatedRequest } from '@sigil/testing';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { KeysConfigSchema, type KeysConfig } from '../config';
import { LeakReportsRepository } from '../leaked-keys/leak-reports.repository';
import { LeakedKeysService } from '../leaked-keys/leaked-keys.service';
import { InvitationsRepository } from '../members/invitations.repository';
import { MembersService } from '../members/members.service';
import { MembershipsRepository } from '../members/memberships.repository';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantsService } from '../tenants/tenants.service';
import { UsageRepository } from '../usage/usage.repository';
import { UsageService } from '../usage/usage.service';
import { UsersRepository } from '../users/users.repository';

export function keysServices(ds: DataSource, env: Record<string, string | number> = {}) {
  const config: KeysConfig = KeysConfigSchema.parse(env);
  const outbox = new OutboxWriter();
  const repositories = {
    keys: new ApiKeysRepository(),
    tenants: new TenantsRepository(),
    users: new UsersRepository(),
    memberships: new MembershipsRepository(),
    invitations: new InvitationsRepository(),
    sessions: new SessionsRepository(),
    usage: new UsageRepository(),
    leakReports: new LeakReportsRepository(),
    audit: new AuditRepository(ds),
  };
  const r = repositories;
  const sessions = new SessionsService(ds, outbox, config, r.sessions, r.tenants, r.users, r.memberships);
  return {
    config,
    repositories,
    sessions,
    keys: new ApiKeysService(ds, outbox, r.keys, r.tenants),
    tenants: new TenantsService(ds, outbox, r.tenants),
    members: new MembersService(ds, outbox, sessions, config, r.memberships, r.invitations, r.users),
    leaks: new LeakedKeysService(ds, outbox, r.keys, r.leakReports),
    usage: new UsageService(ds, r.usage, r.keys),
    audit: new AuditService(r.audit),
  };
}

export type KeysServices = ReturnType<typeof keysServices>;

/** A tenant signed up through the contract (always on starter), its owner's password, and the owner's live request context. */
export async function signedUpTenant(sessions: SessionsService, organization = 'Keys Co'): Promise<{ account: SignupResult; password: string; ctx: RequestContext }> {
  const password = testPassword();
  const { body } = await validatedRequest(KeyRpc.signup, { body: { email: uniqueEmail(), password, organization_name: organization } });
  const account = await sessions.signup(body);
  const ctx: RequestContext = {
    tenant_id: account.tenant.id,
    mode: 'live',
    request_id: newId('req'),
    principal: { kind: 'user', id: account.user.id, scopes: ['*'] },
  };
  return { account, password, ctx };
}

/** A bare tenant row (no user, no key): what a repository spec needs a tenant id for. */
export async function tenantRow(m: EntityManager, name = 'Acme'): Promise<string> {
  const id = newId('ten');
  await new TenantsRepository().insert(m, id, { name, plan: 'starter' });
  return id;
}
