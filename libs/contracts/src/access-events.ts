/**
 * The `data` schemas of the access-control events (SPEC §15): operator plan
 * changes, tenant settings, members and roles, leaked keys. Emitted by the keys service through
 * its outbox on the keys topic; the gateway consumes them to apply changes
 * within a second, the audit log records them, webhooks describe them.
 */
import { z } from 'zod';

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What a key found in public (GitHub secret scanning) gets (SPEC §15): revoked at once, or only reported. */
export const LEAKED_KEY_POLICIES = ['revoke', 'notify'] as const;
export type LeakedKeyPolicy = (typeof LEAKED_KEY_POLICIES)[number];

const limits = z.object({ requests_per_minute: z.number().int(), requests_per_day: z.number().int(), max_active_keys: z.number().int() }).strict();
const planName = z.enum(['starter', 'pro', 'agency']);

export const AccessEventSchemas = {
  'tenant.plan_changed': z
    .object({
      tenant_id: z.string(),
      plan: planName,
      /** The limits now in force (custom or the plan's). */
      limits,
      custom_limits: z.object({ per_minute: z.number().int(), per_day: z.number().int(), max_keys: z.number().int() }).strict().nullable(),
      previous: z.object({ plan: planName, limits }).strict(),
    })
    .strict(),
  'member.invited': z.object({ invitation_id: z.string(), email: z.string(), role: z.enum(ROLES), invited_by: z.string().nullable(), expires_at: z.string() }).strict(),
  'member.invitation_revoked': z.object({ invitation_id: z.string(), email: z.string(), role: z.enum(ROLES) }).strict(),
  'member.joined': z.object({ user_id: z.string(), email: z.string(), role: z.enum(ROLES), invitation_id: z.string() }).strict(),
  'member.role_changed': z.object({ user_id: z.string(), email: z.string(), role: z.enum(ROLES), previous_role: z.enum(ROLES) }).strict(),
  'member.removed': z
    .object({
      user_id: z.string(),
      email: z.string(),
      role: z.enum(ROLES),
      /** When the ended membership began: sessions of that membership stay dead even if the user is invited again. */
      member_since: z.string().optional().describe('When the ended membership began (ISO 8601).'),
    })
    .strict(),
  'tenant.settings_changed': z
    .object({ leaked_key_policy: z.enum(LEAKED_KEY_POLICIES).describe('What a key found in public gets: `revoke` (at once) or `notify` (reported only).') })
    .strict(),
  'api_key.leaked': z
    .object({
      id: z.string().describe('The API key found in public.'),
      prefix: z.string(),
      environment: z.enum(['live', 'test']),
      reported_by: z.literal('github_secret_scanning'),
      url: z.string().describe('Where the key was found (a public GitHub URL; may be empty).'),
      source: z.string().describe('What it was found in, as GitHub names it (`content`, `commit`, `issue_comment`, `npm`…).'),
      policy: z.enum(LEAKED_KEY_POLICIES).describe("The tenant's `leaked_key_policy` when the report arrived."),
      revoked: z.boolean().describe('Whether this report revoked the key (policy `revoke` and the key was still usable).'),
      status: z.enum(['active', 'revoked', 'expired']).describe("The key's status after the report."),
    })
    .strict(),
} as const;

export type AccessEventType = keyof typeof AccessEventSchemas;
export type AccessEventPayloads = { [K in AccessEventType]: z.infer<(typeof AccessEventSchemas)[K]> };
