/**
 * `npm start` (tools/platform/start.sh) runs the gateway with development
 * defaults: a developer's scripts all sign up from 127.0.0.1, so the per-IP
 * signup limit is generous there (the production default stays in the
 * gateway's config). The script runs for real in a copy of the repository's
 * layout where infra, build, curl and node are stand-ins; the stand-in node
 * records the environment each service was started with.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-start-'));
  const write = (file: string, text: string) => {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), 0o755);
  };
  mkdirSync(join(dir, 'tools/platform'), { recursive: true });
  copyFileSync(join(ROOT, 'tools/platform/start.sh'), join(dir, 'tools/platform/start.sh'));
  const ok = '#!/usr/bin/env bash\nexit 0\n';
  write('tools/setup/ensure-deps.sh', ok);
  write('tools/infra/infra.sh', ok);
  write('tools/platform/stop.sh', ok);
  write('bin/npm', ok);
  write('bin/curl', '#!/usr/bin/env bash\necho \'{"status":"up"}\'\n');
  // A service records its environment; the demo-tenant step just succeeds.
  write('bin/node', '#!/usr/bin/env bash\ncase "$1" in dist/apps/*/src/main.js) svc="${1#dist/apps/}"; env >"$SANDBOX/${svc%%/*}.env.tmp"; mv "$SANDBOX/${svc%%/*}.env.tmp" "$SANDBOX/${svc%%/*}.env" ;; esac\nexit 0\n');
  return dir;
}

async function gatewayEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const dir = sandbox();
  try {
    const res = spawnSync('bash', [join(dir, 'tools/platform/start.sh')], {
      encoding: 'utf8',
      env: { PATH: `${join(dir, 'bin')}:${process.env['PATH']}`, HOME: process.env['HOME'] ?? '/tmp', SANDBOX: dir, ...extra },
    });
    expect(res.status).toBe(0);
    const file = join(dir, 'gateway.env');
    for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
    return Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('npm start: development defaults of the gateway', () => {
  it('gives the per-IP signup limit room for a developer’s own scripts (far more than the production 20 an hour)', async () => {
    const env = await gatewayEnv();
    expect(Number(env['SIGNUP_LIMIT_PER_IP_PER_HOUR'])).toBeGreaterThanOrEqual(1000);
  });

  it('keeps a value the caller set', async () => {
    const env = await gatewayEnv({ SIGNUP_LIMIT_PER_IP_PER_HOUR: '7' });
    expect(env['SIGNUP_LIMIT_PER_IP_PER_HOUR']).toBe('7');
  });
});
