/**
 * The operator's command line (`npm run admin -- <command>`): changes a
 * tenant's plan or limits through the gateway's operator API
 * (`PATCH /v1/admin/tenants/:id`, SPEC §15). The token is SIGIL_ADMIN_TOKEN,
 * else the development one `npm start` wrote to .infra/admin-token; the
 * gateway is SIGIL_GATEWAY_URL (default http://127.0.0.1:3000).
 *
 *   set-plan <tenant_id> <starter|pro|agency>
 *   set-limits <tenant_id> <per_minute> <per_day> <max_keys>
 *   clear-limits <tenant_id>
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PLAN_NAMES, type AdminUpdateTenantRequest } from '@sigil/contracts';

const TOKEN_FILE = resolve(__dirname, '../../../../.infra/admin-token');

export const USAGE = [
  'usage: npm run admin -- <command>',
  '  set-plan <tenant_id> <starter|pro|agency>',
  '  set-limits <tenant_id> <per_minute> <per_day> <max_keys>',
  '  clear-limits <tenant_id>      (back to the plan’s limits)',
].join('\n');

/** The request a command line stands for, or an error message. */
export function parseAdminCommand(args: string[]): { tenantId: string; body: AdminUpdateTenantRequest } | { error: string } {
  const [command, tenantId, ...rest] = args;
  if (!command || !tenantId) return { error: USAGE };
  if (command === 'set-plan' && rest.length === 1) {
    const plan = rest[0] as (typeof PLAN_NAMES)[number];
    if (!PLAN_NAMES.includes(plan)) return { error: `unknown plan '${rest[0]}': use ${PLAN_NAMES.join(', ')}` };
    return { tenantId, body: { plan } };
  }
  if (command === 'set-limits' && rest.length === 3) {
    const [perMinute, perDay, maxKeys] = rest.map(Number);
    if (![perMinute, perDay, maxKeys].every((n) => Number.isInteger(n) && n! > 0)) return { error: 'limits are positive integers' };
    return { tenantId, body: { limits: { per_minute: perMinute!, per_day: perDay!, max_keys: maxKeys! } } };
  }
  if (command === 'clear-limits' && rest.length === 0) return { tenantId, body: { limits: null } };
  return { error: USAGE };
}

function adminToken(): string {
  const fromEnv = process.env['SIGIL_ADMIN_TOKEN'];
  if (fromEnv) return fromEnv;
  if (existsSync(TOKEN_FILE)) return readFileSync(TOKEN_FILE, 'utf8').trim();
  throw new Error('no operator token: set SIGIL_ADMIN_TOKEN, or run `npm start` once (it writes .infra/admin-token)');
}

async function main(): Promise<void> {
  const parsed = parseAdminCommand(process.argv.slice(2));
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n`);
    process.exit(2);
  }
  const base = process.env['SIGIL_GATEWAY_URL'] ?? 'http://127.0.0.1:3000';
  const res = await fetch(`${base}/v1/admin/tenants/${encodeURIComponent(parsed.tenantId)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify(parsed.body),
  });
  const text = await res.text();
  if (!res.ok) {
    process.stderr.write(`${res.status} ${text}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify((JSON.parse(text) as { data: unknown }).data, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
