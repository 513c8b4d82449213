/**
 * CPU per request of each process, from /proc, at a fixed load (issue #13):
 * a measuring aid for A/B work on the request path, steadier than the bench's
 * req/s figures, which move with the load generator sharing the cores.
 *
 * MODE=me (default): keys and the gateway only (rate limiting off, as the
 * core bench); rounds of `GET /v1/me` at saturation (50 connections), each
 * after a round of the bare Fastify baseline. Prints req/s, the ratio to
 * bare, and the µs of CPU per request of the gateway and of the bare server.
 *
 * MODE=write: the whole platform as the core bench starts it; rounds of
 * `POST /v1/contacts` (unique emails and a tag) at `RATES` req/s (open loop);
 * prints p50/p99 and each process's share of a core (the PostgreSQL backends
 * and the Kafka broker included).
 *
 *   npm run build && node tools/bench/timeline/cpu-per-request.js
 *   MODE=write RATES=200,300,300,300 node tools/bench/timeline/cpu-per-request.js
 *   SERVICE_ENV='{"contacts":{"OUTBOX_RELAY_LINGER_MS":"5"}}' MODE=write node tools/bench/timeline/cpu-per-request.js
 *   PROFILE_DIR=/tmp/prof node tools/bench/timeline/cpu-per-request.js   # the gateway under --cpu-prof
 */
const { execSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../../..');
const MODE = process.env.MODE || 'me';
const SECONDS = Number(process.env.SECS || 8);
const cpuTicks = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0; // a PostgreSQL backend that ended meanwhile
  }
};
/** Ticks per pid now; a process that started since `before` counts from 0. */
const snapshot = (pids) => new Map(pids().map((pid) => [pid, cpuTicks(pid)]));
const spent = (before, after) => [...after].reduce((sum, [pid, ticks]) => sum + ticks - (before.get(pid) ?? 0), 0);
const pgrep = (pattern) => () => execSync(`pgrep -f '${pattern}' || true`).toString().split('\n').filter(Boolean).map(Number);

async function main() {
  const { TestStack, createTenant } = require(`${ROOT}/dist/libs/testing/src`);
  const { measure } = require(`${ROOT}/dist/tools/bench/src/load`);
  const extra = JSON.parse(process.env.SERVICE_ENV || '{}');
  const gateway = { RATE_LIMIT_ENABLED: 'false', ...extra.gateway };
  if (process.env.PROFILE_DIR) gateway.SIGIL_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${process.env.PROFILE_DIR}`;
  const stack = await TestStack.start({
    ...(MODE === 'me' ? { services: ['keys', 'gateway'] } : {}),
    env: { KAFKA_TOPIC_PARTITIONS: '6' },
    serviceEnv: { ...extra, gateway },
  });
  const baseline = spawn(process.execPath, [`${ROOT}/dist/tools/bench/src/baseline-server.js`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise((resolve) =>
      baseline.stdout.on('data', (chunk) => {
        const m = /listening (\d+)/.exec(String(chunk));
        if (m) resolve(m[1]);
      }),
    );
    const tenant = await createTenant(stack.gatewayUrl);
    const pidOf = (name) => stack.processes.find((p) => p.name === name).pid;
    if (MODE === 'me') {
      const me = { url: `${stack.gatewayUrl}/v1/me`, headers: tenant.api.defaultHeaders, connections: 50 };
      await measure({ ...me, durationSeconds: 3 });
      for (let round = 0; round < Number(process.env.ROUNDS || 3); round++) {
        const b0 = cpuTicks(baseline.pid);
        const bare = await measure({ url: `http://127.0.0.1:${port}/`, connections: 50, durationSeconds: SECONDS });
        const b1 = cpuTicks(baseline.pid);
        const g0 = cpuTicks(pidOf('gateway'));
        const got = await measure({ ...me, durationSeconds: SECONDS });
        const g1 = cpuTicks(pidOf('gateway'));
        const us = (ticks, requests) => ((ticks * 10_000) / requests).toFixed(1); // a tick is 10 ms
        console.log(
          `round ${round}: bare ${bare.rps} req/s (${us(b1 - b0, bare.requests)} µs CPU each), /v1/me ${got.rps} req/s ` +
            `(${((100 * got.rps) / bare.rps).toFixed(1)} % of bare; gateway ${us(g1 - g0, got.requests)} µs CPU each), non-2xx ${got.non2xx}`,
        );
      }
      return;
    }
    const run = Date.now().toString(36);
    let n = 0;
    const write = {
      url: `${stack.gatewayUrl}/v1/contacts`,
      method: 'POST',
      headers: { ...tenant.api.defaultHeaders, 'content-type': 'application/json' },
      bodyOf: () => JSON.stringify({ email: `cpu-${run}-${n++}@example.com`, first_name: 'Bench', tags: ['bench'] }),
    };
    await measure({ ...write, connections: 10, durationSeconds: 3 });
    const processes = [
      ...stack.processes.filter((p) => p.pid).map((p) => [p.name, () => [p.pid]]),
      ['postgres', pgrep('postgres')],
      ['kafka', () => [Number(fs.readFileSync(`${ROOT}/.infra/kafka/kafka.pid`, 'utf8'))]],
      ['load generator', () => [process.pid]],
    ];
    for (const rate of (process.env.RATES || '300,300,300').split(',').map(Number)) {
      const before = processes.map(([, pids]) => snapshot(pids));
      const got = await measure({ ...write, connections: 50, durationSeconds: SECONDS, rate });
      const split = processes.map(([name, pids], i) => `${name} ${(spent(before[i], snapshot(pids)) / SECONDS).toFixed(1)} %`).join(', ');
      console.log(`${rate} req/s: ${got.rps} held, p50 ${got.p50_ms} / p99 ${got.p99_ms} ms | % of a core: ${split}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  } finally {
    baseline.kill('SIGTERM');
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
