/**
 * Prints a working demo API key after `npm start`: signs up (or logs into) the
 * demo tenant through the gateway, revokes the previous demo key, creates a
 * fresh one and prints it with a ready-to-paste curl. The demo credentials
 * live in .infra/demo.json (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startBanner } from './start-banner';

interface DemoState {
  email: string;
  password: string;
  key_id?: string;
}

const STATE_FILE = resolve(__dirname, '../../../../.infra/demo.json');

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { data?: { access_token?: string; id?: string; key?: string }; error?: { message: string } }) : {} };
}

async function main(): Promise<void> {
  const base = process.argv[2] ?? 'http://127.0.0.1:3000';
  // A demo account of this checkout's own: another checkout (or a lost .infra/demo.json) on the same
  // database must not make the address taken.
  const fresh = (): DemoState => ({
    email: `demo-${randomBytes(4).toString('hex')}@sigil.local`,
    password: `demo-${randomBytes(12).toString('base64url')}`,
  });
  let state: DemoState = existsSync(STATE_FILE) ? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DemoState) : fresh();

  let session = await call(base, 'POST', '/v1/auth/login', { email: state.email, password: state.password });
  for (let attempt = 0; session.status === 401 || (session.status === 409 && attempt < 3); attempt++) {
    if (session.status === 409) state = fresh();
    session = await call(base, 'POST', '/v1/auth/signup', { email: state.email, password: state.password, organization_name: 'Sigil Demo' });
    // Signup is always starter; the demo tenant gets pro from the operator API, with the development token.
    const tenantId = (session.body.data as { tenant?: { id: string } } | undefined)?.tenant?.id;
    const adminToken = process.env['SIGIL_ADMIN_TOKEN'];
    if (tenantId && adminToken) await call(base, 'PATCH', `/v1/admin/tenants/${tenantId}`, { plan: 'pro' }, adminToken);
  }
  if (!session.body.data?.access_token) throw new Error(`cannot sign in the demo tenant: ${session.status} ${JSON.stringify(session.body)}`);
  const token = session.body.data.access_token;
  if (state.key_id) await call(base, 'DELETE', `/v1/api-keys/${state.key_id}`, undefined, token);
  const key = await call(base, 'POST', '/v1/api-keys', { name: 'demo (npm start)', environment: 'live', scopes: ['*'] }, token);
  if (key.status !== 201) throw new Error(`cannot create the demo key: ${key.status} ${JSON.stringify(key.body)}`);
  state.key_id = key.body.data?.id;
  mkdirSync(dirname(STATE_FILE), { recursive: true });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });

  const secret = key.body.data?.key ?? '';
  process.stdout.write(startBanner(base, { key: secret, email: state.email, password: state.password }));
}

main().catch((err: unknown) => {
  process.stderr.write(`demo tenant: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
