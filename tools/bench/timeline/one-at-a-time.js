/**
 * Starts keys, contacts and the gateway from `dist/` (as the bench does: 6
 * partitions per topic, rate limiting off) with `preload.js` in every
 * process, creates a tenant and one contact, sends `N` reads of it one at a
 * time (after `WARM` unrecorded ones), or with `MODE=post` creates contacts
 * one at a time (unique emails and a tag, as the core bench's write), prints the client's p50/p90/p99, the
 * CPU each process spent per request (/proc) and the load average, then
 * `summary.js`'s split of the recorded requests.
 *   npm run build && node tools/bench/timeline/one-at-a-time.js
 *   N=500 WARM=300 TIMELINE_DIR=/tmp/tl node tools/bench/timeline/one-at-a-time.js
 *   MODE=post node tools/bench/timeline/one-at-a-time.js
 * A measuring aid for quiet-machine work on the request path (issue #13).
 */
const { randomBytes } = require('crypto');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '../../..');
process.env.SIGIL_KAFKA_NAMESPACE = `timeline${randomBytes(3).toString('hex')}`;
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const N = Number(process.env.N || 300);
const WARM = Number(process.env.WARM || 200);
const POST = process.env.MODE === 'post';
const dir = process.env.TIMELINE_DIR || '/tmp/sigil-timeline';
const cpuTicks = (pid) => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};
const load = () => os.loadavg()[0].toFixed(2);

async function main() {
  const { TestStack, createTenant, contactInput } = require(`${ROOT}/dist/libs/testing/src`);
  fs.rmSync(dir, { recursive: true, force: true });
  const stack = await TestStack.start({
    services: ['keys', 'contacts', 'gateway'],
    env: { KAFKA_TOPIC_PARTITIONS: '6', TIMELINE_DIR: dir, SIGIL_NODE_ARGS: `--require ${__dirname}/preload.js` },
    serviceEnv: { gateway: { RATE_LIMIT_ENABLED: 'false' } },
  });
  try {
    const tenant = await createTenant(stack.gatewayUrl);
    const created = await tenant.api.post('/v1/contacts', contactInput());
    const url = `${stack.gatewayUrl}/v1/contacts/${created.body.data.id}`;
    const headers = { authorization: `Bearer ${tenant.apiKey}` };
    let n = 0;
    const one = POST
      ? async () => {
          const body = JSON.stringify({ email: `timeline-${process.pid}-${n++}@example.com`, first_name: 'Timeline', tags: ['bench'] });
          const res = await fetch(`${stack.gatewayUrl}/v1/contacts`, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
          await res.arrayBuffer();
          if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
        }
      : async () => {
          const res = await fetch(url, { headers });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
        };
    for (let i = 0; i < WARM; i++) await one();
    await new Promise((r) => setTimeout(r, 1200)); // the preload writes every 500 ms: start the record clean
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const pids = Object.fromEntries(['gateway', 'contacts', 'keys'].map((s) => [s, stack.get(s).pid]));
    const before = Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, cpuTicks(pid)]));
    const loadBefore = load();
    const times = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await one();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const p = (x) => times[Math.floor(times.length * x)].toFixed(2);
    const cpu = Object.entries(pids)
      .map(([s, pid]) => `${s} ${(((cpuTicks(pid) - before[s]) * 10000) / N).toFixed(0)}`)
      .join(', ');
    console.log(
      `${N} ${POST ? 'POSTs' : 'GETs'} one at a time: p50 ${p(0.5)} / p90 ${p(0.9)} / p99 ${p(0.99)} ms; CPU µs per request: ${cpu}; load average ${loadBefore} → ${load()}\n`,
    );
    await new Promise((r) => setTimeout(r, 1200));
  } finally {
    await stack.close();
  }
  process.stdout.write(
    execFileSync(process.execPath, [`${__dirname}/summary.js`, ...(POST ? ['POST /v1/contacts'] : [])], { env: { ...process.env, TIMELINE_DIR: dir } }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
