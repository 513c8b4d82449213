/**
 * Reads the logs of `preload.js` (`$TIMELINE_DIR`, default /tmp/sigil-timeline)
 * and splits each request sent one at a time (the gateway's `http> GET
 * <prefix>`, default `GET /v1/contacts/`) into phases:
 * - the offset (ms) of the first event of each kind from the gateway's
 *   receipt of the request (median, p90);
 * - each step of the path on its own (gateway in → request produced →
 *   service fetch returned → first SQL sent → last SQL done → reply produced →
 *   gateway fetch returned → response finished): p10, median and p90. On a
 *   shared machine the p10 is the closest to a step's uncontended cost, the
 *   median adds the waits for a core;
 * - Kafka requests and SQL statements per request, by process and kind, the
 *   named statements prepared and run prepared (preload's `parse`, `bind`), and
 *   the load average (1 min) the preloaded processes saw meanwhile.
 *   node tools/bench/timeline/summary.js ['GET /v1/contacts/'] [service]
 * `service` is the one that serves the route (default contacts).
 */
const fs = require('fs');
const prefix = process.argv[2] || 'GET /v1/contacts/';
const service = process.argv[3] || 'contacts';
const dir = process.env.TIMELINE_DIR || '/tmp/sigil-timeline';
const lines = fs.readdirSync(dir).flatMap((f) => fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean));
const ev = lines
  .map((l) => {
    const [t, svc, kind, ...rest] = l.split(' ');
    return { t: +t, svc, kind, detail: rest.join(' ') };
  })
  .sort((a, b) => a.t - b.t);
const starts = ev.filter((e) => e.svc === 'gateway' && e.kind === 'http>' && e.detail.startsWith(prefix));
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const offsets = {};
const steps = {};
const STEPS = [
  ['gw produce request sent', 'gateway in → request produced'],
  ['svc fetch returned request', 'request produced → service fetch returned'],
  ['svc first sql sent', 'service fetch returned → first SQL sent'],
  ['svc last sql done', 'first SQL sent → last SQL done'],
  ['svc reply produce sent', 'last SQL done → reply produced'],
  ['gw fetch returned reply', 'reply produced → gateway fetch returned'],
  ['gw http response finished', 'gateway fetch returned → response finished'],
];
for (let i = 0; i < starts.length; i++) {
  const s = starts[i].t;
  const end = i + 1 < starts.length ? starts[i + 1].t : s + 1000;
  const win = ev.filter((e) => e.t >= s && e.t < end);
  const first = (pred) => win.find(pred);
  const marks = {
    'gw produce request sent': first((e) => e.svc === 'gateway' && e.kind === 'produce>' && /rpc|requests/.test(e.detail)),
    'gw produce acked': undefined,
    'svc fetch returned request': first((e) => e.svc === service && e.kind === 'fetch<' && /rpc/.test(e.detail)),
    'svc first sql sent': first((e) => e.svc === service && e.kind === 'sql>'),
    'svc last sql done': [...win].reverse().find((e) => e.svc === service && e.kind === 'sql<'),
    'svc reply produce sent': first((e) => e.svc === service && e.kind === 'produce>' && /replies/.test(e.detail)),
    'svc reply acked': undefined,
    'gw fetch returned reply': first((e) => e.svc === 'gateway' && e.kind === 'fetch<' && /replies/.test(e.detail)),
    'gw http response finished': first((e) => e.svc === 'gateway' && e.kind === 'http<'),
  };
  const ackOf = (svc, sent) => sent && first((e) => e.svc === svc && e.kind === 'produce<' && e.detail === sent.detail.split(' ')[0]);
  marks['gw produce acked'] = ackOf('gateway', marks['gw produce request sent']);
  marks['svc reply acked'] = ackOf(service, marks['svc reply produce sent']);
  for (const [k, e] of Object.entries(marks)) if (e) (offsets[k] ??= []).push(e.t - s);
  let previous = s;
  for (const [mark, label] of STEPS) {
    const e = marks[mark];
    if (!e) {
      previous = undefined;
      continue;
    }
    if (previous !== undefined) (steps[label] ??= []).push(e.t - previous);
    previous = e.t;
  }
}
console.log(`requests: ${starts.length} (${prefix}…, served by ${service})`);
console.log('\noffset from the gateway receiving the request:');
for (const [k, xs] of Object.entries(offsets)) console.log(`  ${k.padEnd(30)} median +${q(xs, 0.5).toFixed(2)} ms  (n=${xs.length}, p90 +${q(xs, 0.9).toFixed(2)})`);
console.log('\neach step on its own (ms):');
let p10 = 0;
let p50 = 0;
for (const [, label] of STEPS) {
  const xs = steps[label];
  if (!xs) continue;
  p10 += q(xs, 0.1);
  p50 += q(xs, 0.5);
  console.log(`  ${label.padEnd(44)} p10 ${q(xs, 0.1).toFixed(3)}  median ${q(xs, 0.5).toFixed(3)}  p90 ${q(xs, 0.9).toFixed(3)}  (n=${xs.length})`);
}
console.log(`  ${'sum'.padEnd(44)} p10 ${p10.toFixed(3)}  median ${p50.toFixed(3)}`);
if (starts.length) {
  const from = starts[0].t;
  const to = starts[starts.length - 1].t + 1000;
  const inRun = ev.filter((e) => e.t >= from && e.t < to);
  const per = {};
  for (const e of inRun) {
    if (!/^(produce|fetch|commit|heartbeat|sql)[>!<]$/.test(e.kind) || e.kind === 'produce<' || e.kind === 'commit<' || e.kind === 'heartbeat<' || e.kind === 'sql<')
      continue;
    const k = `${e.svc} ${e.kind.slice(0, -1)}`;
    per[k] = (per[k] || 0) + 1;
  }
  console.log('\nper request (fetches counted when they returned records):');
  for (const [k, n] of Object.entries(per).sort()) console.log(`  ${k.padEnd(24)} ${(n / starts.length).toFixed(2)}`);
  const named = {};
  for (const e of inRun) if (e.kind === 'parse' || e.kind === 'bind') (named[`${e.svc} ${e.detail}`] ??= { parse: 0, bind: 0 })[e.kind] += 1;
  if (Object.keys(named).length) {
    console.log('\nnamed statements (prepared on their connection now / run prepared), per request:');
    for (const [k, n] of Object.entries(named).sort()) console.log(`  ${k.padEnd(48)} ${(n.parse / starts.length).toFixed(2)} / ${(n.bind / starts.length).toFixed(2)}`);
  }
  const loads = inRun.filter((e) => e.kind === 'load').map((e) => +e.detail);
  if (loads.length) console.log(`\nload average (1 min) during the requests: ${Math.min(...loads).toFixed(2)} – ${Math.max(...loads).toFixed(2)}`);
}
