/**
 * Members of a tenant and their roles (SPEC §15): invitations (signed, single
 * use, expiring), the member list, role changes, removal, and switching a
 * session to another tenant the user belongs to. Served by the keys service.
 */
import { z } from 'zod';
import { ROLES, type Role } from './access-events';
import { defineRpc } from './define-rpc';
import { PasswordSchema, SessionTokensSchema, type SessionTokens } from './keys';
import { Timestamp } from './instant';
import { documented, named } from './openapi-hints';
import { qualify } from './naming';
import { cursorQueryFields } from './paging';

export const MemberPatterns = {
  invite: qualify('keys.members.invite'),
  acceptInvitation: qualify('keys.members.accept'),
  listMembers: qualify('keys.members.list'),
  updateMember: qualify('keys.members.update'),
  removeMember: qualify('keys.members.remove'),
  listInvitations: qualify('keys.members.invitations.list'),
  revokeInvitation: qualify('keys.members.invitations.revoke'),
  switchTenant: qualify('keys.auth.switch'),
  listTenants: qualify('keys.auth.tenants'),
} as const satisfies Record<string, string>;

/** An invitation lives a week, like a refresh token. */
export const INVITATION_TTL_SECONDS = 7 * 24 * 3600;

const email = z
  .string()
  .trim()
  .max(254)
  .email()
  .transform((v) => v.toLowerCase());

export const InviteMemberSchema = z
  .object({
    email,
    // Ownership is transferred (PATCH a member to owner), never invited.
    role: z.enum(['admin', 'developer', 'viewer']),
  })
  .strict();
export type InviteMemberRequest = z.infer<typeof InviteMemberSchema>;

export const AcceptInvitationSchema = z
  .object({
    token: documented(z.string().min(1).max(1000), {
      'x-opaque': true,
      description: 'The `token` of the invitation (`POST /v1/members/invitations`); only a token the API issued is valid (a 400 otherwise).',
    }),
    /**
     * The new user's password, or the existing user's (proving it is them): required either way (a fuzzer's
     * accept without one was a schema-valid 400). Both follow the signup rules: signup and accepting as a new
     * user are the only ways an account gets a password, and both take only these, so the schema says so (a
     * generated new user's password that broke them was a 400 the document did not announce).
     */
    password: PasswordSchema,
  })
  .strict();
export type AcceptInvitationRequest = z.infer<typeof AcceptInvitationSchema>;

export const UpdateMemberSchema = z.object({ role: z.enum(ROLES) }).strict();
export type UpdateMemberRequest = z.infer<typeof UpdateMemberSchema>;

export const ListMembersQuerySchema = z.object(cursorQueryFields).strict();
export type ListMembersQuery = z.infer<typeof ListMembersQuerySchema>;

export const SwitchTenantSchema = z.object({ tenant_id: z.string().max(64) }).strict();
export type SwitchTenantRequest = z.infer<typeof SwitchTenantSchema>;

const UserIdParams = z.object({ user_id: z.string() });
const InvitationIdParams = z.object({ invitation_id: z.string() });

export const ListInvitationsQuerySchema = ListMembersQuerySchema;
export type ListInvitationsQuery = ListMembersQuery;

export interface MemberView {
  user_id: string;
  email: string;
  role: Role;
  joined_at: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
  /** The invitation token, shown once: the invitee presents it to `POST /v1/members/invitations/accept`. */
  token: string;
}

/** A pending invitation (not accepted, revoked or expired) as the list shows it: never its token. */
export type PendingInvitationView = Omit<InvitationView, 'token'> & {
  /** The user who invited, or null (an API key). */
  invited_by: string | null;
};

/** A tenant the session's user belongs to (`GET /v1/auth/tenants`), for switching with `POST /v1/auth/switch`. */
export interface UserTenantView {
  id: string;
  name: string;
  role: Role;
  /** Whether the calling session is in this tenant. */
  current: boolean;
  joined_at: string;
}

export interface AcceptedInvitation extends SessionTokens {
  tenant: { id: string; name: string };
  user: { id: string; email: string; role: Role };
}

// Reply schemas: what the routes answer, as the OpenAPI document shows it (each checked against its view type).

export const MemberViewSchema = named(
  'Member',
  z.object({ user_id: z.string(), email: z.string(), role: z.enum(ROLES), joined_at: Timestamp }) satisfies z.ZodType<MemberView>,
);

export const InvitationViewSchema = named(
  'Invitation',
  z.object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    expires_at: Timestamp,
    created_at: Timestamp,
    token: z.string().describe('The invitation token, shown once: the invitee presents it to `POST /v1/members/invitations/accept`.'),
  }) satisfies z.ZodType<InvitationView>,
);

export const AcceptedInvitationSchema = named(
  'AcceptedInvitation',
  SessionTokensSchema.extend({
    tenant: z.object({ id: z.string(), name: z.string() }),
    user: z.object({ id: z.string(), email: z.string(), role: z.enum(ROLES) }),
  }) satisfies z.ZodType<AcceptedInvitation>,
);

export const PendingInvitationViewSchema = named(
  'PendingInvitation',
  z.object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    expires_at: Timestamp,
    created_at: Timestamp,
    invited_by: z.string().nullable().describe('The user who invited, or null (an API key).'),
  }) satisfies z.ZodType<PendingInvitationView>,
);

export const UserTenantViewSchema = named(
  'UserTenant',
  z.object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    current: z.boolean().describe('Whether the calling session is in this tenant.'),
    joined_at: Timestamp,
  }) satisfies z.ZodType<UserTenantView>,
);

export const MemberRpc = {
  invite: defineRpc(MemberPatterns.invite, z.object({ body: InviteMemberSchema }), InvitationViewSchema),
  acceptInvitation: defineRpc(MemberPatterns.acceptInvitation, z.object({ body: AcceptInvitationSchema }), AcceptedInvitationSchema),
  listMembers: defineRpc(MemberPatterns.listMembers, z.object({ query: ListMembersQuerySchema }), z.array(MemberViewSchema)),
  updateMember: defineRpc(MemberPatterns.updateMember, z.object({ params: UserIdParams, body: UpdateMemberSchema }), MemberViewSchema),
  removeMember: defineRpc(MemberPatterns.removeMember, z.object({ params: UserIdParams }), z.object({ removed: z.boolean() })),
  listInvitations: defineRpc(MemberPatterns.listInvitations, z.object({ query: ListInvitationsQuerySchema }), z.array(PendingInvitationViewSchema)),
  revokeInvitation: defineRpc(MemberPatterns.revokeInvitation, z.object({ params: InvitationIdParams }), z.object({ revoked: z.boolean() })),
  switchTenant: defineRpc(MemberPatterns.switchTenant, z.object({ body: SwitchTenantSchema }), SessionTokensSchema),
  listTenants: defineRpc(MemberPatterns.listTenants, z.object({}), z.array(UserTenantViewSchema)),
} as const;
