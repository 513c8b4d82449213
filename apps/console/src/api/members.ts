/** Members, invitations and the user's tenants: one function per operation, through `@sigil/sdk`. */
import { replaceSession } from './auth';
import { anonymousApi, api, call, callAnonymous, onePage, toSession, type Envelope, type TokenResponse } from './http';
import type { Invitation, JoinedTenant, Member, PendingInvitation, Role, UserTenant } from './types';

export function listMembers(): Promise<Envelope<Member[]>> {
  return onePage<Member>(() => api.members.list({ limit: 100 }));
}

/** The answer carries `token`, the invitation, shown once. */
export function inviteMember(input: { email: string; role: Exclude<Role, 'owner'> }): Promise<Invitation> {
  return call<Invitation>(() => api.members.invite(input));
}

/**
 * Accepts an invitation (public: the token is the credential; `password` is a
 * new user's choice or an existing user's own) and signs this tab in to the
 * inviting tenant with the tokens the API returns, which never leave this module.
 */
export async function acceptInvitation(input: { token: string; password: string }): Promise<JoinedTenant> {
  const accepted = await callAnonymous<TokenResponse & JoinedTenant>(() => anonymousApi.members.accept(input));
  await replaceSession({ ...toSession(accepted, 'live'), tenantId: accepted.tenant.id });
  return { tenant: accepted.tenant, user: accepted.user };
}

export function listInvitations(): Promise<Envelope<PendingInvitation[]>> {
  return onePage<PendingInvitation>(() => api.members.invitations({ limit: 100 }));
}

export function revokeInvitation(id: string): Promise<void> {
  return call<void>(() => api.members.revokeInvitation(id));
}

/** `owner` transfers ownership (the owner only; they become admin). */
export function changeRole(userId: string, role: Role): Promise<Member> {
  return call<Member>(() => api.members.update(userId, { role }));
}

export function removeMember(userId: string): Promise<void> {
  return call<void>(() => api.members.remove(userId));
}

export function listTenants(): Promise<UserTenant[]> {
  return call<UserTenant[]>(() => api.auth.tenants());
}
