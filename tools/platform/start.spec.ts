/**
 * `npm start` (tools/platform/start.sh) runs the gateway with development
 * defaults: a developer's scripts all sign up from 127.0.0.1, so the per-IP
 * signup limit is generous there (the production default stays in the
 * gateway's config). The script runs for real in a copy of the repository's
 * layout where infra, build, curl and node are stand-ins; the stand-in node
 * records the environment each service was started with.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  // Like the gateway's health: up once the (stand-in) gateway process has started.
  write('bin/curl', '#!/usr/bin/env bash\nif [ -f "$SANDBOX/gateway.env" ]; then echo \'{"status":"up"}\'; else exit 7; fi\n');
  // A service records its environment; the demo-tenant step just succeeds.
  write(
    'bin/node',
    '#!/usr/bin/env bash\ncase "$1" in dist/apps/*/src/main.js) svc="${1#dist/apps/}"; env >"$SANDBOX/${svc%%/*}.env.tmp"; mv "$SANDBOX/${svc%%/*}.env.tmp" "$SANDBOX/${svc%%/*}.env"; exec sleep 60 ;; esac\nexit 0\n',
  );
  return dir;
}

function gatewayEnv(extra: Record<string, string> = {}, dir = sandbox(), keep = false, service = 'gateway'): Record<string, string> {
  try {
    const res = spawnSync('bash', [join(dir, 'tools/platform/start.sh')], {
      encoding: 'utf8',
      env: { PATH: `${join(dir, 'bin')}:${process.env['PATH']}`, HOME: process.env['HOME'] ?? '/tmp', SANDBOX: dir, ...extra },
    });
    expect(res.status).toBe(0);
    const file = join(dir, `${service}.env`);
    // The stand-ins start in the background: another service's may record its environment just after the gateway's.
    for (let i = 0; i < 100 && !existsSync(file); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(existsSync(file)).toBe(true);
    return Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } finally {
    stopStandIns(dir, keep);
  }
}

/** Sends a signal; false when the process is already gone. */
function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function stopStandIns(dir: string, keep: boolean): void {
  {
    // The stand-in services keep running, as real ones would (start.sh checks they are alive).
    const runDir = join(dir, '.infra/run');
    const pids = (existsSync(runDir) ? readdirSync(runDir) : []).map((f) => Number(readFileSync(join(runDir, f), 'utf8')));
    for (const pid of pids) signal(pid, 'SIGKILL');
    // A killed stand-in may still be writing its log for a moment: removing the directory under it failed
    // with ENOTEMPTY now and then. Wait until every one is gone (at most 5 s), then remove.
    const until = Date.now() + 5000;
    while (pids.some((pid) => signal(pid, 0)) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    if (!keep) rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}

describe('npm start: development defaults of the gateway', () => {
  it('gives the per-IP signup limit room for a developer’s own scripts (far more than the production 20 an hour)', () => {
    const env = gatewayEnv();
    expect(Number(env['SIGNUP_LIMIT_PER_IP_PER_HOUR'])).toBeGreaterThanOrEqual(1000);
  });

  it('keeps a value the caller set', () => {
    const env = gatewayEnv({ SIGNUP_LIMIT_PER_IP_PER_HOUR: '7' });
    expect(env['SIGNUP_LIMIT_PER_IP_PER_HOUR']).toBe('7');
  });
});

describe('npm start: the operator token', () => {
  it('generates a development SIGIL_ADMIN_TOKEN into .infra/admin-token (owner-only) once, and reuses it', () => {
    const dir = sandbox();
    try {
      const first = gatewayEnv({}, dir, true);
      const file = join(dir, '.infra/admin-token');
      expect(first['SIGIL_ADMIN_TOKEN']).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(file, 'utf8')).toBe(first['SIGIL_ADMIN_TOKEN']);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(gatewayEnv({}, dir, true)['SIGIL_ADMIN_TOKEN']).toBe(first['SIGIL_ADMIN_TOKEN']);
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });

  it('keeps a token the caller set', () => {
    expect(gatewayEnv({ SIGIL_ADMIN_TOKEN: 'x'.repeat(40) })['SIGIL_ADMIN_TOKEN']).toBe('x'.repeat(40));
  });
});

describe('npm start: the key-encryption key of webhook secrets', () => {
  it('generates WEBHOOK_SECRET_KEK into .infra/webhook-secret-kek (owner-only) once, gives it to webhooks only, and reuses it', () => {
    const dir = sandbox();
    try {
      const first = gatewayEnv({}, dir, true, 'webhooks');
      const file = join(dir, '.infra/webhook-secret-kek');
      expect(first['WEBHOOK_SECRET_KEK']).toMatch(/^local:[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(first['WEBHOOK_SECRET_KEK']!.slice('local:'.length), 'base64')).toHaveLength(32);
      expect(readFileSync(file, 'utf8')).toBe(first['WEBHOOK_SECRET_KEK']);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(gatewayEnv({}, dir, true)['WEBHOOK_SECRET_KEK']).toBeUndefined();
      expect(gatewayEnv({}, dir, true, 'webhooks')['WEBHOOK_SECRET_KEK']).toBe(first['WEBHOOK_SECRET_KEK']);
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    }
  });

  it('keeps a key the caller set', () => {
    expect(gatewayEnv({ WEBHOOK_SECRET_KEK: 'mine:abc' }, sandbox(), false, 'webhooks')['WEBHOOK_SECRET_KEK']).toBe('mine:abc');
  });
});

describe('npm start: glibc malloc settings of the services', () => {
  it('runs every service with a fixed mmap threshold for glibc malloc (as the image does), unless the caller set one', () => {
    expect(gatewayEnv()['MALLOC_MMAP_THRESHOLD_']).toBe('131072');
    expect(gatewayEnv({}, sandbox(), false, 'contacts')['MALLOC_MMAP_THRESHOLD_']).toBe('131072');
    expect(gatewayEnv({ MALLOC_MMAP_THRESHOLD_: '65536' }, sandbox(), false, 'contacts')['MALLOC_MMAP_THRESHOLD_']).toBe('65536');
  });
});
