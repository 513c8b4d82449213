/**
 * `npm test` (tools/test/run-all.sh) cleans up after itself: whatever it starts
 * only for its own checks (the Kafka 3.9 broker, the chaos run's private
 * PostgreSQL/Redis/Kafka) is stopped when it ends, pass or fail, and what it
 * keeps warm (the shared development infrastructure) is named in its last
 * lines with the command that stops it. The script runs for real, in a copy of
 * the repository's layout where infra.sh, npm, npx and the dependency check are
 * stand-ins that record what was started and stopped.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** infra.sh stand-in: one marker file per (instance dir, component) that is "running". */
const FAKE_INFRA = `#!/usr/bin/env bash
set -euo pipefail
state="$FAKE_STATE/$(printf '%s' "\${SIGIL_INFRA_DIR:-main}" | tr '/' '_')"
mkdir -p "$state"
echo "infra \${SIGIL_INFRA_DIR:-main} $*" >>"$FAKE_STATE/calls"
cmd="$1"; shift || true
comps=("$@"); [ \${#comps[@]} -gt 0 ] || comps=(postgres redis kafka)
case "$cmd" in
  up) for c in postgres redis kafka; do touch "$state/$c"; done ;;
  start) for c in "\${comps[@]}"; do touch "$state/$c"; done ;;
  down) rm -f "$state"/* ;;
  stop) for c in "\${comps[@]}"; do rm -f "$state/$c"; done ;;
  status) [ -n "$(ls "$state")" ] ;;
esac
`;

/** npm/npx stand-in: the chaos step starts the private infrastructure as the real one does; FAIL_AT fails a step. */
const FAKE_NPM = `#!/usr/bin/env bash
echo "$(basename "$0") $*" >>"$FAKE_STATE/calls"
case "$*" in *test:chaos*) . tools/reliability/infra-env.sh; ensure_private_infra ;; esac
if [ -n "\${FAIL_AT:-}" ]; then case "$* KAFKA_BROKERS=\${KAFKA_BROKERS:-}" in *"$FAIL_AT"*) exit 1 ;; esac; fi
exit 0
`;

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), 'sigil-run-all-'));
  for (const file of ['tools/test/run-all.sh', 'tools/reliability/infra-env.sh']) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  const write = (file: string, text: string) => {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), 0o755);
  };
  write('tools/infra/infra.sh', FAKE_INFRA);
  write('tools/setup/ensure-deps.sh', '#!/usr/bin/env bash\nexit 0\n');
  write('bin/npm', FAKE_NPM);
  write('bin/npx', FAKE_NPM);
  mkdirSync(join(dir, 'state'));
  return dir;
}

function run(dir: string, env: Record<string, string> = {}) {
  const res = spawnSync('bash', [join(dir, 'tools/test/run-all.sh')], {
    encoding: 'utf8',
    env: {
      PATH: `${join(dir, 'bin')}:${process.env['PATH']}`,
      HOME: process.env['HOME'] ?? '/tmp',
      FAKE_STATE: join(dir, 'state'),
      SIGIL_RELIABILITY_INFRA_DIR: join(dir, 'chaos-infra'),
      ...env,
    },
  });
  const state = join(dir, 'state');
  const running = readdirSync(state)
    .filter((d) => d !== 'calls')
    .flatMap((d) => readdirSync(join(state, d)).map((c) => `${d}:${c}`));
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, running, calls: readFileSync(join(state, 'calls'), 'utf8') };
}

describe('npm test (tools/test/run-all.sh) cleans up after itself', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const d = sandbox();
    dirs.push(d);
    return d;
  };

  function expectOnlyMainLeft(result: ReturnType<typeof run>) {
    expect(result.running.sort()).toEqual(['main:kafka', 'main:postgres', 'main:redis']);
    const last = result.stdout.trim().split('\n').slice(-3).join('\n');
    expect(last).toMatch(/kept running.*PostgreSQL :5432, Redis :6379, Kafka :9092/);
    expect(last).toContain('npm run infra -- down');
  }

  it('after a green run only the shared infrastructure is left, and the last lines name it and how to stop it', () => {
    const result = run(fresh());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('== all tests passed');
    // The steps did start the private instances (else this test proves nothing).
    expect(result.calls).toMatch(/chaos-infra up/);
    expect(result.calls).toMatch(/\.infra-kafka39 start kafka/);
    expectOnlyMainLeft(result);
  });

  it.each([
    ['the chaos step', 'test:chaos'],
    ['the e2e run on Kafka 3.9', 'KAFKA_BROKERS=127.0.0.1:29092'],
  ])('when %s fails, what the run started for itself is stopped too', (_what, failAt) => {
    const result = run(fresh(), { FAIL_AT: failAt });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('== all tests passed');
    expectOnlyMainLeft(result);
  });

  it('leaves a private instance alone that was already running before the run', () => {
    const dir = fresh();
    const chaosState = join(dir, 'state', join(dir, 'chaos-infra').replace(/\//g, '_'));
    mkdirSync(chaosState, { recursive: true });
    writeFileSync(join(chaosState, 'kafka'), '');
    const result = run(dir);
    expect(result.status).toBe(0);
    expect(existsSync(join(chaosState, 'kafka'))).toBe(true);
  });
});
