/**
 * Where one request's time goes across processes (issue #13): a preload
 * (`node --require`, e.g. `SIGIL_NODE_ARGS="--require <this file>"` for every
 * service of a TestStack) that writes a timestamp (absolute ms, µs precision,
 * comparable between processes of one machine) for every HTTP request and
 * response, kafkajs produce (sent, acknowledged), fetch that returned
 * records, offset commit, group heartbeat and pg query (a named statement's
 * also as `parse` or `bind`: whether its connection prepares it now or runs
 * it prepared), and the load average
 * every half second, to `$TIMELINE_DIR/<service>.<pid>.log` (default
 * /tmp/sigil-timeline). `summary.js` in this folder splits requests sent one
 * at a time into phases; `one-at-a-time.js` starts a platform with this
 * preload and sends them. A measuring aid only: it wraps kafkajs' and pg's
 * internals and is never loaded by the services themselves.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');
const { performance } = require('perf_hooks');
const now = () => (performance.timeOrigin + performance.now()).toFixed(3);
const name = path.basename(path.dirname(path.dirname(process.argv[1] || 'x')));
const dir = process.env.TIMELINE_DIR || '/tmp/sigil-timeline';
fs.mkdirSync(dir, { recursive: true });
const file = `${dir}/${name}.${process.pid}.log`;
let buf = [];
const log = (ev, detail = '') => buf.push(`${now()} ${name} ${ev} ${detail}`);
setInterval(() => {
  log('load', os.loadavg()[0].toFixed(2));
  if (buf.length) {
    fs.appendFileSync(file, buf.join('\n') + '\n');
    buf = [];
  }
}, 500).unref();
const origReq = Module.prototype.require;
const done = new Set();
Module.prototype.require = function (id) {
  const m = origReq.apply(this, arguments);
  try {
    if (
      !done.has('broker') &&
      m &&
      m.prototype &&
      typeof m.prototype.produce === 'function' &&
      typeof m.prototype.fetch === 'function' &&
      typeof m.prototype.offsetCommit === 'function'
    ) {
      done.add('broker');
      const P = m.prototype;
      const produce = P.produce;
      P.produce = async function (args) {
        const topics = (args.topicData || [])
          .map((t) => `${t.topic.split('.').slice(-2).join('.')}x${t.partitions.reduce((n, p) => n + p.messages.length, 0)}`)
          .join(',');
        const id = Math.random().toString(36).slice(2, 7);
        log('produce>', `${id} acks=${args.acks} ${topics}`);
        const r = await produce.call(this, args);
        log('produce<', id);
        return r;
      };
      const fetch = P.fetch;
      P.fetch = async function (args) {
        const id = Math.random().toString(36).slice(2, 7);
        const t0 = now();
        const r = await fetch.call(this, args);
        let n = 0;
        const topics = [];
        for (const t of r.responses || [])
          for (const p of t.partitions || []) {
            const k = (p.messages || []).length;
            if (k) {
              n += k;
              topics.push(`${t.topicName.split('.').slice(-2).join('.')}/${p.partition}x${k}`);
            }
          }
        if (n) log('fetch<', `${id} sent@${t0} maxWait=${args.maxWaitTime} minBytes=${args.minBytes} ${topics.join(',')}`);
        return r;
      };
      const hb = P.heartbeat;
      P.heartbeat = async function (args) {
        log('heartbeat>');
        const r = await hb.call(this, args);
        log('heartbeat<');
        return r;
      };
      const oc = P.offsetCommit;
      P.offsetCommit = async function (args) {
        log('commit>');
        const r = await oc.call(this, args);
        log('commit<');
        return r;
      };
    }
    if (id === 'pg' && !done.has('pg') && m && m.Client) {
      done.add('pg');
      const q = m.Client.prototype.query;
      m.Client.prototype.query = function (config) {
        const text = typeof config === 'string' ? config : config && config.text;
        const short = String(text || '')
          .replace(/\s+/g, ' ')
          .slice(0, 40);
        log('sql>', short);
        // A named statement: `parse` when this connection sends its Parse (the first time), `bind` when it runs it prepared.
        const named = config && typeof config === 'object' && config.name;
        if (named) {
          const c = this.connection || {};
          const known =
            (c.parsedStatements && c.parsedStatements[named] !== undefined) || (c.submittedNamedStatements && c.submittedNamedStatements[named] !== undefined);
          log(known ? 'bind' : 'parse', named);
        }
        const r = q.apply(this, arguments);
        if (r && typeof r.then === 'function')
          r.then(
            () => log('sql<', short),
            () => log('sql!', short),
          );
        return r;
      };
    }
  } catch {
    /* never break the process */
  }
  return m;
};
const http = require('http');
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (ev, req, res) {
  if (ev === 'request' && !String(req.url).startsWith('/health') && !String(req.url).startsWith('/metrics')) {
    log('http>', `${req.method} ${req.url}`);
    res.once('finish', () => log('http<', `${res.statusCode}`));
  }
  return emit.apply(this, arguments);
};
