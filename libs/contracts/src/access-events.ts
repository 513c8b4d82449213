/**
 * The `data` schemas of the access-control events (SPEC §15): operator plan
 * changes, members and roles, leaked keys. Emitted by the keys service through
 * its outbox on the keys topic; the gateway consumes them to apply changes
 * within a second, the audit log records them, webhooks describe them.
 */
import { z } from 'zod';

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

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
  'member.removed': z.object({ user_id: z.string(), email: z.string(), role: z.enum(ROLES) }).strict(),
} as const;

export type AccessEventType = keyof typeof AccessEventSchemas;
export type AccessEventPayloads = { [K in AccessEventType]: z.infer<(typeof AccessEventSchemas)[K]> };
