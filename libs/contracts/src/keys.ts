/**
 * Request/reply patterns and payloads of the keys service: tenants, users,
 * sessions (JWT), API keys, plans and usage.
 */
import { z } from 'zod';
import { Instant, Timestamp } from './instant';
import { LEAKED_KEY_POLICIES, type LeakedKeyPolicy, type Role } from './access-events';
import { SCOPES } from './auth';
import { MAX_ALLOWED_CIDRS, parseCidr } from './cidr';
import { type AsInferred, ByIdParams, defineRpc, replyOf } from './define-rpc';
import { documented, named, NO_NUL_PATTERN, relations } from './openapi-hints';
import { qualify } from './naming';
import { CursorParam, DEFAULT_PAGE_LIMIT, PageLimitParam, pageQueryFields } from './paging';
import type { AuditActor } from './events';
import type { Mode } from './rpc';

export const KeyPatterns = {
  signup: qualify('keys.auth.signup'),
  login: qualify('keys.auth.login'),
  refresh: qualify('keys.auth.refresh'),
  logout: qualify('keys.auth.logout'),
  createKey: qualify('keys.create'),
  listKeys: qualify('keys.list'),
  getKey: qualify('keys.get'),
  updateKey: qualify('keys.update'),
  revokeKey: qualify('keys.revoke'),
  rotateKey: qualify('keys.rotate'),
  verifyKey: qualify('keys.verify'),
  recordUsage: qualify('keys.record_usage'),
  usage: qualify('keys.usage'),
  auditLog: qualify('keys.audit_log'),
  adminUpdateTenant: qualify('keys.admin.update_tenant'),
  getSettings: qualify('keys.settings.get'),
  updateSettings: qualify('keys.settings.update'),
  reportLeakedKeys: qualify('keys.secret_scanning.report'),
} as const satisfies Record<string, string>;

/** Plans (SPEC §3): the single table of their limits. */
export const PLANS = {
  starter: { requests_per_minute: 100, requests_per_day: 10_000, max_active_keys: 2 },
  pro: { requests_per_minute: 500, requests_per_day: 50_000, max_active_keys: 10 },
  agency: { requests_per_minute: 1_000, requests_per_day: 250_000, max_active_keys: 50 },
} as const;
export type PlanName = keyof typeof PLANS;
export const PLAN_NAMES = Object.keys(PLANS) as [PlanName, ...PlanName[]];

/** A tenant's limits: its plan's, unless the operator gave it custom ones (seed 004's "Enterprise: custom limits"). */
export interface TenantLimits {
  requests_per_minute: number;
  requests_per_day: number;
  max_active_keys: number;
}

/** Custom limits as the operator API names them (SPEC §15). */
export const CustomLimitsSchema = z
  .object({
    per_minute: z.number().int().min(1).max(1_000_000),
    per_day: z.number().int().min(1).max(1_000_000_000),
    max_keys: z.number().int().min(1).max(10_000),
  })
  .strict();
export type CustomLimits = z.infer<typeof CustomLimitsSchema>;

/** The limits in force: the custom ones when set, else the plan's. */
export function effectiveLimits(plan: PlanName, custom: CustomLimits | null | undefined): TenantLimits {
  if (!custom) return { ...PLANS[plan] };
  return { requests_per_minute: custom.per_minute, requests_per_day: custom.per_day, max_active_keys: custom.max_keys };
}

/**
 * `PATCH /v1/admin/tenants/:id` (operator only): a plan, custom limits, or
 * both; `limits: null` returns the tenant to its plan's limits.
 */
export const AdminUpdateTenantSchema = documented(
  z
    .object({
      plan: z.enum(PLAN_NAMES).optional(),
      limits: CustomLimitsSchema.nullable().optional(),
    })
    .strict()
    .refine((v) => v.plan !== undefined || v.limits !== undefined, 'send plan, limits or both'),
  { minProperties: 1 },
);
export type AdminUpdateTenantRequest = z.infer<typeof AdminUpdateTenantSchema>;

export interface AdminTenantView {
  id: string;
  name: string;
  plan: PlanName;
  /** The operator's custom limits, or null when the plan's apply. */
  custom_limits: CustomLimits | null;
  /** The limits in force. */
  limits: TenantLimits;
}

/** A new password (signup, accepting an invitation as a new user). */
export const PasswordSchema = documented(
  z
    .string()
    .max(128)
    // Characters as people (and JSON Schema's minLength) count them: code points, not UTF-16 units.
    .refine((p) => [...p].length >= 10, 'use at least 10 characters')
    .refine((p) => new Set(p).size >= 5, 'too simple: use more distinct characters'),
  // At least 5 distinct characters: five characters, each unlike every one before it.
  {
    minLength: 10,
    allOf: [{ pattern: NO_NUL_PATTERN }],
    pattern: '([\\s\\S])[\\s\\S]*?(?!\\1)([\\s\\S])[\\s\\S]*?(?!\\1|\\2)([\\s\\S])[\\s\\S]*?(?!\\1|\\2|\\3)([\\s\\S])[\\s\\S]*?(?!\\1|\\2|\\3|\\4)[\\s\\S]',
  },
);

export const SignupSchema = z
  .object({
    email: z
      .string()
      .trim()
      .max(254)
      .email()
      .transform((v) => v.toLowerCase()),
    password: PasswordSchema,
    organization_name: z.string().trim().min(1).max(100),
  })
  // Strict: a `plan` (or anything else) in the body is a 400 — plans are the operator's (SPEC §15).
  .strict();
export type SignupRequest = z.infer<typeof SignupSchema>;

/** The data a session acts on (like a key's environment): `live` unless the session asks for `test`. */
export const SessionModeSchema = z.enum(['live', 'test']);

export const LoginSchema = z
  .object({
    email: z
      .string()
      .trim()
      .max(254)
      .transform((v) => v.toLowerCase()),
    password: z.string().max(128),
    mode: SessionModeSchema.optional(),
  })
  .strict();
export type LoginRequest = z.infer<typeof LoginSchema>;

export const LogoutSchema = z.object({ refresh_token: z.string().min(1).max(200) }).strict();
export type LogoutRequest = z.infer<typeof LogoutSchema>;

/** `mode` switches the session: the new tokens act on that mode's data (and keep it on later refreshes). */
export const RefreshSchema = LogoutSchema.extend({ mode: SessionModeSchema.optional() }).strict();
export type RefreshRequest = z.infer<typeof RefreshSchema>;

const scopes = z
  .array(z.enum(SCOPES))
  .min(1)
  .max(SCOPES.length)
  .transform((s) => [...new Set(s)].sort());

/**
 * Networks a key may be used from (SPEC §15): IPv4/IPv6 addresses or CIDRs,
 * at most 50, stored in canonical form; `null` (or absent) means anywhere. A
 * malformed entry or one too many is a 400 naming it (`allowed_cidrs[3]`).
 */
/** An IPv4 address, which is a network of one (no host bits to get wrong); `/32` may be written. */
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const allowedCidrs = documented(
  z
    .array(z.string().max(64))
    .superRefine((list, ctx) => {
      if (list.length === 0) {
        ctx.addIssue({ code: 'custom', message: 'an empty list would allow no network; send null to allow any', params: { code: 'empty' } });
        return;
      }
      if (list.length > MAX_ALLOWED_CIDRS) {
        ctx.addIssue({
          code: 'custom',
          path: [MAX_ALLOWED_CIDRS],
          message: `at most ${MAX_ALLOWED_CIDRS} networks per key; entry ${MAX_ALLOWED_CIDRS} ('${list[MAX_ALLOWED_CIDRS]}') is one too many`,
          params: { code: 'too_many' },
        });
        return;
      }
      for (const [i, entry] of list.entries()) {
        const parsed = parseCidr(entry);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', path: [i], message: parsed.error, params: { code: 'invalid_cidr' } });
      }
    })
    .transform((list) => [...new Set(list.map((e) => (parseCidr(e) as { cidr: string }).cidr))]),
  // For the document: IPv4 addresses (the checker also takes IPv6 and networks without host bits, which a
  // pattern cannot judge; docs/auth.md lists every form).
  {
    minItems: 1,
    maxItems: MAX_ALLOWED_CIDRS,
    items: { type: 'string', maxLength: 64, pattern: `^\\s*${IPV4_OCTET}(\\.${IPV4_OCTET}){3}(/32)?\\s*$` },
    description: 'IPv4/IPv6 addresses or networks (CIDR, no host bits set); null allows any network.',
  },
).nullable();

export const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    environment: z.enum(['live', 'test']),
    scopes,
    // Any instant: one already past creates a key that is expired from the start (401 `expired_api_key`).
    // "In the future" is relative to the clock, which no schema of the document can state.
    expires_at: Instant.nullable().optional(),
    rate_limit_per_minute: z.number().int().min(1).max(100_000).nullable().optional(),
    allowed_cidrs: allowedCidrs.optional(),
  })
  .strict();
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeySchema>;

export const UpdateApiKeySchema = documented(
  z
    .object({
      name: z.string().trim().min(1).max(100).optional(),
      scopes: scopes.optional(),
      rate_limit_per_minute: z.number().int().min(1).max(100_000).nullable().optional(),
      allowed_cidrs: allowedCidrs.optional(),
    })
    .strict()
    .refine((v) => Object.keys(v).length > 0, 'send at least one of name, scopes, rate_limit_per_minute, allowed_cidrs'),
  { minProperties: 1 },
);
export type UpdateApiKeyRequest = z.infer<typeof UpdateApiKeySchema>;

export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const RotateApiKeySchema = z.object({ grace_period_seconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional() }).strict();
export type RotateApiKeyRequest = z.infer<typeof RotateApiKeySchema>;

export const ListApiKeysQuerySchema = z.object(pageQueryFields).strict();
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuerySchema>;

/** Outcomes of a request in usage analytics (SPEC §15); the gateway derives them from the status code. */
export const USAGE_OUTCOMES = ['ok', 'unauthorized', 'forbidden', 'rate_limited', 'invalid', 'not_found', 'error'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** Hourly usage is kept 90 days (SPEC §15). */
export const USAGE_RETENTION_DAYS = 90;

const dayOrInstant = z.union([z.string().date(), Instant]);

/**
 * Without `interval` and `group_by`: the first release's report (per key per
 * day by status class). With either: the analytics series (per key per hour or
 * day, by outcome or by route).
 */
export const UsageQuerySchema = documented(
  z
    .object({
      from: dayOrInstant.optional(),
      to: dayOrInstant.optional(),
      key_id: z.string().max(64).optional(),
      interval: z.enum(['hour', 'day']).optional(),
      group_by: z.enum(['outcome', 'route']).optional(),
    })
    .strict()
    .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be before from', path: ['to'] }),
  // The refinement, stated for the document (the long fuzz's `to` before `from` was a schema-valid 400).
  relations({ kind: 'after', field: 'to', than: 'from' }),
);
export type UsageQuery = z.infer<typeof UsageQuerySchema>;

export interface ApiKeyView {
  id: string;
  name: string;
  environment: Mode;
  prefix: string;
  last4: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  /** Networks the key may be used from; null: anywhere. */
  allowed_cidrs: string[] | null;
  status: 'active' | 'revoked' | 'expired';
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Creation and rotation are the only replies carrying the secret. */
export interface ApiKeyWithSecret extends ApiKeyView {
  key: string;
  previous_key_expires_at?: string | null;
}

export interface TenantView {
  id: string;
  name: string;
  plan: PlanName;
  /** The limits in force (custom or the plan's); absent only in cache entries written before limits existed. */
  limits?: TenantLimits;
}

export interface SessionTokens {
  token_type: 'Bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
  /** The mode the session acts in (carried in the access token). */
  mode: Mode;
}

export interface SignupResult extends SessionTokens {
  tenant: TenantView;
  user: { id: string; email: string; role: 'owner' };
}

/** What the gateway caches about a verified API key secret. */
export interface VerifiedApiKey {
  key_id: string;
  tenant: TenantView;
  environment: Mode;
  prefix: string;
  scopes: string[];
  rate_limit_per_minute: number | null;
  /** Networks the key may be used from (checked by the gateway from this cached answer); null or absent: anywhere. */
  allowed_cidrs?: string[] | null;
  /** The earliest of the key's expiry and (for a rotated-out secret) the end of its grace period. */
  expires_at: string | null;
  /** Why this secret no longer works, if it does not. */
  state: 'active' | 'revoked' | 'expired';
}

export interface UsageEntry {
  tenant_id: string;
  /** API key id or `usr_…` for sessions. */
  credential_id: string;
  day: string;
  status_class: '2xx' | '3xx' | '4xx' | '5xx';
  count: number;
  last_used_at: string;
}

/** One bucket of the analytics series: requests of one credential in one hour or day. */
export interface UsageSeriesRow {
  credential_id: string;
  /** Start of the bucket (ISO, UTC). */
  at: string;
  total: number;
  /** With `group_by=outcome`: every outcome, zeros included. */
  outcomes?: Record<UsageOutcome, number>;
  /** With `group_by=route`: `METHOD /path/template` → count. */
  routes?: Record<string, number>;
}

export type UsageReport = UsageRow[] | UsageSeriesRow[];

/** Requests of one credential in one hour on one route with one outcome (what a gateway counts). */
export interface UsageHourlyEntry {
  tenant_id: string;
  credential_id: string;
  hour: string;
  route: string;
  outcome: UsageOutcome;
  count: number;
}

/** Audit log query (SPEC §15): newest first; filters combine; paged by cursor (or page). */
export const AuditLogQuerySchema = documented(
  z
    .object({
      actor_id: z.string().min(1).max(64).optional(),
      action: z
        .string()
        .max(64)
        .regex(/^[a-z_]+\.[a-z_]+$/, 'an action such as api_key.revoked')
        .optional(),
      resource_id: z.string().min(1).max(255).optional(),
      since: Instant.optional(),
      until: Instant.optional(),
      // Offsets deep into a large log are slow: past page 1 000, page by cursor.
      page: z.coerce.number().int().min(1).max(1_000).optional(),
      limit: PageLimitParam.default(DEFAULT_PAGE_LIMIT),
      cursor: CursorParam.optional(),
    })
    .strict()
    .refine((q) => !q.since || !q.until || Date.parse(q.since) <= Date.parse(q.until), { message: 'must not be before since', path: ['until'] }),
  // The refinement, which the converter cannot see (the fuzz's long run sent `until` before `since`: a 400 the document did not state).
  relations({ kind: 'after', field: 'until', than: 'since' }),
);
export type AuditLogQuery = z.infer<typeof AuditLogQuerySchema>;

/** One audit entry: who did what to which resource, from where, and what changed (secrets redacted). */
export interface AuditEntryView {
  id: string;
  action: string;
  actor: AuditActor;
  resource: { type: string; id: string | null };
  mode: Mode;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: { before: unknown; after: unknown };
  occurred_at: string;
}

export interface UsageRow {
  credential_id: string;
  day: string;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  total: number;
}

export interface AccessTokenClaims {
  sub: string;
  tid: string;
  role: Role;
  email: string;
  plan: PlanName;
  /** The tenant's limits in force when the token was issued (later changes reach gateways as events). */
  lim?: TenantLimits;
  tname: string;
  /** The data the session acts on; tokens issued before sessions had modes carry none and act in `live`. */
  mode?: Mode;
  /**
   * When the membership the token belongs to began (epoch ms): a token of a
   * membership that was later ended stays refused even if the user is invited
   * again (tokens issued before this claim existed carry none).
   */
  msn?: number;
  typ: 'access';
}

/** What a gateway sends to learn what a secret is worth: its SHA-256 (hex), never the secret. */
export const VerifyKeySchema = z.object({ secret_hash: z.string() }).strict();

const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx'] as const;
export const UsageEntrySchema = z
  .object({
    tenant_id: z.string(),
    credential_id: z.string(),
    day: z.string().date(),
    status_class: z.enum(STATUS_CLASSES),
    count: z.number().int().min(1),
    last_used_at: Instant,
  })
  .strict();
export const UsageHourlyEntrySchema = z
  .object({
    tenant_id: z.string(),
    credential_id: z.string(),
    hour: Instant,
    route: z.string().max(300),
    outcome: z.enum(USAGE_OUTCOMES),
    count: z.number().int().min(1),
  })
  .strict();
/**
 * Not capped: a gateway keeps a refused batch and retries it, so a cap would
 * wedge its counts. `hourly` is optional so a gateway of the first release
 * (daily counts only) is still understood during a rolling upgrade.
 */
export const RecordUsageSchema = z.object({ entries: z.array(UsageEntrySchema), hourly: z.array(UsageHourlyEntrySchema).optional() }).strict();

/** The tenant's settings (SPEC §15): `GET/PATCH /v1/settings`. */
export interface TenantSettingsView {
  /** What a key found in public (GitHub secret scanning) gets: `revoke` at once (the default) or `notify` only. */
  leaked_key_policy: LeakedKeyPolicy;
  updated_at: string | null;
}

export const UpdateTenantSettingsSchema = documented(
  z
    .object({ leaked_key_policy: z.enum(LEAKED_KEY_POLICIES).optional() })
    .strict()
    .refine((v) => v.leaked_key_policy !== undefined, 'send a setting to change (leaked_key_policy)'),
  { minProperties: 1 },
);
export type UpdateTenantSettingsRequest = z.infer<typeof UpdateTenantSettingsSchema>;

/** Most distinct well-formed Sigil keys one secret scanning report may carry (far beyond any real report). */
export const MAX_LEAK_REPORT_MATCHES = 1000;
/** Where a key was found, as kept (GitHub's URLs are far shorter): a full report stays well under Kafka's message size. */
export const MAX_LEAK_URL_LENGTH = 500;
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest (hex)');

/**
 * A verified GitHub secret scanning report, as the gateway forwards it: only
 * the SHA-256 of each well-formed key (the secret never crosses Kafka), and
 * the raw body's digest, which makes a second delivery of the same signed
 * body recognisable (a replay).
 */
export const LeakReportSchema = z
  .object({
    report_sha256: sha256Hex,
    key_identifier: z.string().min(1).max(200),
    matches: z
      .array(
        z
          .object({
            secret_hash: sha256Hex,
            url: z.string().max(MAX_LEAK_URL_LENGTH),
            source: z.string().max(100),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_LEAK_REPORT_MATCHES),
  })
  .strict();
export type LeakReport = z.infer<typeof LeakReportSchema>;

/** The secret hashes of the report that are Sigil keys (revoked, expired or active alike). */
export interface LeakReportResult {
  found: string[];
}

// Request/reply definitions (one per pattern; see define-rpc.ts)

// Reply schemas: what the routes answer, as the OpenAPI document shows it (each checked against its view type).

const MODES = ['live', 'test'] as const;

export const TenantLimitsSchema = named(
  'TenantLimits',
  z.object({ requests_per_minute: z.number().int(), requests_per_day: z.number().int(), max_active_keys: z.number().int() }) satisfies z.ZodType<TenantLimits>,
);

export const ApiKeyViewSchema = named(
  'ApiKey',
  z.object({
    id: z.string(),
    name: z.string(),
    environment: z.enum(MODES),
    prefix: z.string(),
    last4: z.string(),
    scopes: z.array(z.string()),
    rate_limit_per_minute: z.number().int().nullable(),
    allowed_cidrs: z.array(z.string()).nullable().describe('Networks the key may be used from; null: anywhere.'),
    status: z.enum(['active', 'revoked', 'expired']),
    created_at: Timestamp,
    updated_at: Timestamp,
    expires_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
  }) satisfies z.ZodType<ApiKeyView>,
);

export const ApiKeyWithSecretSchema = named(
  'ApiKeyWithSecret',
  ApiKeyViewSchema.extend({
    key: z.string().describe('The secret, shown only on creation and rotation.'),
    previous_key_expires_at: Timestamp.nullable().optional().describe('Rotation: until when the previous secret still works.'),
  }) satisfies z.ZodType<ApiKeyWithSecret>,
);

export const SessionTokensSchema = named(
  'SessionTokens',
  z.object({
    token_type: z.literal('Bearer'),
    access_token: z.string(),
    refresh_token: z.string(),
    expires_in: z.number().int(),
    refresh_expires_in: z.number().int(),
    mode: z.enum(MODES).describe('The mode the session acts in (carried in the access token).'),
  }) satisfies z.ZodType<SessionTokens>,
);

export const SignupResultSchema = named(
  'SignupResult',
  SessionTokensSchema.extend({
    tenant: z.object({ id: z.string(), name: z.string(), plan: z.enum(PLAN_NAMES), limits: TenantLimitsSchema.optional() }),
    user: z.object({ id: z.string(), email: z.string(), role: z.literal('owner') }),
  }) satisfies z.ZodType<SignupResult>,
);

const count = z.number().int();
export const UsageReportSchema = named(
  'UsageReport',
  z
    .union([
      z.array(
        named(
          'UsageDay',
          z.object({
            credential_id: z.string(),
            day: z.string().date(),
            '2xx': count,
            '3xx': count,
            '4xx': count,
            '5xx': count,
            total: count,
          }) satisfies z.ZodType<UsageRow>,
        ),
      ),
      z.array(
        named(
          'UsageSeriesRow',
          z.object({
            credential_id: z.string(),
            at: Timestamp,
            total: count,
            outcomes: z.object(Object.fromEntries(USAGE_OUTCOMES.map((o) => [o, count])) as Record<UsageOutcome, typeof count>).optional(),
            routes: z.record(count).optional().describe('With `group_by=route`: `METHOD /path/template` → count.'),
          }) satisfies z.ZodType<UsageSeriesRow>,
        ),
      ),
    ])
    .describe('Without `interval`/`group_by`: per credential per day by status class; with them: the series.') satisfies z.ZodType<UsageReport>,
);

export const AuditEntryViewSchema = named(
  'AuditEntry',
  z.object({
    id: z.string(),
    action: z.string(),
    actor: z.object({ type: z.enum(['user', 'api_key', 'system']), id: z.string() }),
    resource: z.object({ type: z.string(), id: z.string().nullable() }),
    mode: z.enum(MODES),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    changes: z.object({ before: z.unknown(), after: z.unknown() }).describe('What changed (secrets redacted).'),
    occurred_at: Timestamp,
  }) satisfies z.ZodType<AsInferred<AuditEntryView>>,
);

export const RevokedReplySchema = named('LogoutResult', z.object({ revoked: z.boolean() }));

export const TenantSettingsViewSchema = named(
  'TenantSettings',
  z.object({ leaked_key_policy: z.enum(LEAKED_KEY_POLICIES), updated_at: Timestamp.nullable() }) satisfies z.ZodType<TenantSettingsView>,
);

// Request/reply definitions (one per pattern; see define-rpc.ts). A reply whose view holds `unknown` JSON is typed
// as that view (zod infers such a key as optional; the schema is checked against the view with `AsInferred`).

export const KeyRpc = {
  signup: defineRpc(KeyPatterns.signup, z.object({ body: SignupSchema }), SignupResultSchema),
  login: defineRpc(KeyPatterns.login, z.object({ body: LoginSchema }), SessionTokensSchema),
  refresh: defineRpc(KeyPatterns.refresh, z.object({ body: RefreshSchema }), SessionTokensSchema),
  logout: defineRpc(KeyPatterns.logout, z.object({ body: LogoutSchema }), RevokedReplySchema),
  createKey: defineRpc(KeyPatterns.createKey, z.object({ body: CreateApiKeySchema }), ApiKeyWithSecretSchema),
  listKeys: defineRpc(KeyPatterns.listKeys, z.object({ query: ListApiKeysQuerySchema }), z.array(ApiKeyViewSchema)),
  getKey: defineRpc(KeyPatterns.getKey, z.object({ params: ByIdParams }), ApiKeyViewSchema),
  updateKey: defineRpc(KeyPatterns.updateKey, z.object({ params: ByIdParams, body: UpdateApiKeySchema }), ApiKeyViewSchema),
  revokeKey: defineRpc(KeyPatterns.revokeKey, z.object({ params: ByIdParams }), ApiKeyViewSchema),
  rotateKey: defineRpc(KeyPatterns.rotateKey, z.object({ params: ByIdParams, body: RotateApiKeySchema }), ApiKeyWithSecretSchema),
  verifyKey: defineRpc(KeyPatterns.verifyKey, z.object({ body: VerifyKeySchema }), replyOf<VerifiedApiKey>()),
  recordUsage: defineRpc(KeyPatterns.recordUsage, z.object({ body: RecordUsageSchema }), replyOf<{ recorded: number }>()),
  usage: defineRpc(KeyPatterns.usage, z.object({ query: UsageQuerySchema }), UsageReportSchema),
  auditLog: defineRpc(KeyPatterns.auditLog, z.object({ query: AuditLogQuerySchema }), z.array(AuditEntryViewSchema) as z.ZodType<AuditEntryView[]>),
  adminUpdateTenant: defineRpc(KeyPatterns.adminUpdateTenant, z.object({ params: ByIdParams, body: AdminUpdateTenantSchema }), replyOf<AdminTenantView>()),
  getSettings: defineRpc(KeyPatterns.getSettings, z.object({}), TenantSettingsViewSchema),
  updateSettings: defineRpc(KeyPatterns.updateSettings, z.object({ body: UpdateTenantSettingsSchema }), TenantSettingsViewSchema),
  reportLeakedKeys: defineRpc(KeyPatterns.reportLeakedKeys, z.object({ body: LeakReportSchema }), replyOf<LeakReportResult>()),
} as const;
