/**
 * Reads the logs of `preload.js` (`$TIMELINE_DIR`, default /tmp/sigil-timeline)
 * and splits each request sent one at a time (the gateway's `http> GET
 * <prefix>`, default `GET /v1/contacts/`) into phases: the offset (ms) from
 * the gateway's receipt of the first event of each kind before the next
 * request; prints the median and p90 of each, and the count of every event.
 *   node tools/bench/timeline/summary.js ['GET /v1/contacts/']
 */
const fs = require('fs');
const prefix = process.argv[2] || 'GET /v1/contacts/';
const dir = process.env.TIMELINE_DIR || '/tmp/sigil-timeline';
const lines = fs.readdirSync(dir).flatMap((f) => fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean));
const ev = lines
  .map((l) => {
    const [t, svc, kind, ...rest] = l.split(' ');
    return { t: +t, svc, kind, detail: rest.join(' ') };
  })
  .sort((a, b) => a.t - b.t);
const starts = ev.filter((e) => e.svc === 'gateway' && e.kind === 'http>' && e.detail.startsWith(prefix));
const phases = {};
for (let i = 0; i < starts.length; i++) {
  const s = starts[i].t;
  const end = i + 1 < starts.length ? starts[i + 1].t : s + 1000;
  const win = ev.filter((e) => e.t >= s && e.t < end);
  const first = (pred) => win.find(pred);
  const marks = {
    'gw produce request sent': first((e) => e.svc === 'gateway' && e.kind === 'produce>' && /rpc|requests/.test(e.detail)),
    'gw produce acked': undefined,
    'contacts fetch returned request': first((e) => e.svc === 'contacts' && e.kind === 'fetch<'),
    'contacts first sql sent': first((e) => e.svc === 'contacts' && e.kind === 'sql>'),
    'contacts last sql done': [...win].reverse().find((e) => e.svc === 'contacts' && e.kind === 'sql<'),
    'contacts reply produce sent': first((e) => e.svc === 'contacts' && e.kind === 'produce>'),
    'contacts reply acked': first((e) => e.svc === 'contacts' && e.kind === 'produce<'),
    'gw fetch returned reply': first((e) => e.svc === 'gateway' && e.kind === 'fetch<'),
    'gw http response finished': first((e) => e.svc === 'gateway' && e.kind === 'http<'),
  };
  const gp = marks['gw produce request sent'];
  if (gp) marks['gw produce acked'] = first((e) => e.svc === 'gateway' && e.kind === 'produce<' && e.detail === gp.detail.split(' ')[0]);
  for (const [k, e] of Object.entries(marks)) if (e) (phases[k] ??= []).push(e.t - s);
}
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(`requests: ${starts.length}`);
for (const [k, xs] of Object.entries(phases))
  console.log(`${k.padEnd(34)} median +${med(xs).toFixed(2)} ms  (n=${xs.length}, p90 +${[...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)].toFixed(2)})`);
const kinds = {};
for (const e of ev) {
  const k = `${e.svc} ${e.kind}`;
  kinds[k] = (kinds[k] || 0) + 1;
}
console.log(kinds);
