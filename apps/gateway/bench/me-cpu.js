/**
 * Gateway CPU per `GET /v1/me` request, robust to other load on the machine:
 * starts keys + gateway (a TestStack, from dist/), signs up a tenant with 50
 * keys and limits no run reaches, then drives rounds of N requests at a fixed
 * concurrency and reads the gateway process's utime+stime from /proc before
 * and after each round (µs of CPU per request, not req/s).
 *
 * GW_DIRS=<dist dir>,<dist dir> adds one more gateway per alternate build
 * (e.g. a copy of the baseline's dist/ inside the repo, so node_modules
 * resolves) in the same stack; rounds alternate between them (an A/B run).
 *
 *   node apps/gateway/bench/me-cpu.js   (env: N=20000 ROUNDS=5 CONC=50 LIMITER=true PROF_DIR=…)
 */
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const autocannon = require('autocannon');

const ROOT = resolve(__dirname, '../../..');
const testing = require(join(ROOT, 'dist/libs/testing/src'));

const N = Number(process.env.N ?? 20000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CONC = Number(process.env.CONC ?? 50);
const LIMITER = process.env.LIMITER ?? 'true';
const TICK_US = 1e6 / 100; // USER_HZ

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), sys: Number(fields[12]) };
}

async function drive(url, keys, amount) {
  let i = 0;
  const r = await autocannon({
    url,
    connections: CONC,
    amount,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${keys[i++ % keys.length]}` } }) }],
  });
  return { non2xx: r.non2xx + r.errors, rps: r.requests.total / r.duration };
}

async function main() {
  const nodeArgs = process.env.PROF_DIR ? `--cpu-prof --cpu-prof-dir=${process.env.PROF_DIR}` : '';
  const stack = await testing.TestStack.start({
    services: ['keys', 'gateway'],
    env: { KAFKA_TOPIC_PARTITIONS: '6' },
    serviceEnv: { gateway: { RATE_LIMIT_ENABLED: LIMITER, ...(nodeArgs ? { SIGIL_NODE_ARGS: nodeArgs } : {}) } },
  });
  const extra = [];
  try {
    const gw = stack.get('gateway');
    const targets = [{ name: 'dist', url: gw.url, pid: gw.pid }];
    for (const dir of (process.env.GW_DIRS ?? '').split(',').filter(Boolean)) {
      const port = await testing.freePort();
      const child = spawn(process.execPath, [join(dir, 'apps/gateway/src/main.js')], {
        cwd: ROOT,
        env: { ...process.env, ...gw.env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      extra.push(child);
      const url = `http://127.0.0.1:${port}`;
      await testing.pollUntil(
        () =>
          fetch(`${url}/health/ready`).then(
            (r) => r.status === 200,
            () => false,
          ),
        (ok) => ok,
        { timeoutMs: 60000, stepMs: 200 },
      );
      targets.push({ name: dir, url, pid: child.pid });
    }
    const tenant = await testing.createTenant(gw.url, { plan: 'agency' });
    const set = await testing
      .adminClient(gw.url)
      .patch(`/v1/admin/tenants/${tenant.tenantId}`, { limits: { per_minute: 1_000_000, per_day: 1_000_000_000, max_keys: 100 } });
    if (set.status !== 200) throw new Error(`limits: ${set.status} ${JSON.stringify(set.body)}`);
    await new Promise((r) => setTimeout(r, 1500));
    const keys = [];
    // The tenant's own key first: createTenant made it.
    keys.push(tenant.api.defaultHeaders.authorization.slice('Bearer '.length));
    while (keys.length < 50) keys.push((await tenant.createKey({ name: `bench ${keys.length}` })).key);
    for (const t of targets) {
      const sample = await fetch(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${keys[0]}` } });
      process.stdout.write(`${t.name}: ${sample.status} ${JSON.stringify([...sample.headers])}\n${await sample.text()}\n`);
      await drive(`${t.url}/v1/me`, keys, 5000); // warm: caches and JIT
    }
    const results = new Map(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const before = cpuTicks(t.pid);
        const { non2xx, rps } = await drive(`${t.url}/v1/me`, keys, N);
        const after = cpuTicks(t.pid);
        const user = ((after.user - before.user) * TICK_US) / N;
        const sys = ((after.sys - before.sys) * TICK_US) / N;
        results.get(t.name).push(user + sys);
        process.stdout.write(
          `round ${round} ${t.name}: user ${user.toFixed(1)} sys ${sys.toFixed(1)} total ${(user + sys).toFixed(1)} µs/req, ${rps.toFixed(0)} req/s, non-2xx ${non2xx}\n`,
        );
      }
    }
    for (const [name, totals] of results) {
      const sorted = [...totals].sort((a, b) => a - b);
      process.stdout.write(
        `${name}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} µs/req, min ${sorted[0].toFixed(1)} (limiter ${LIMITER}, ${N} req x ${ROUNDS}, ${CONC} connections)\n`,
      );
    }
  } finally {
    for (const c of extra) c.kill('SIGTERM');
    await stack.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
