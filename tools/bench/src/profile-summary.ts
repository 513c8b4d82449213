/**
 * Reads the V8 CPU profiles that `npm run bench -- --profile` makes
 * (`node --cpu-prof`, one file per service process) and prints where the
 * busy time went: self time by area (Kafka client, pg, Fastify, Nest, our
 * own code by folder, GC, …) and the top self-time frames.
 *
 *   node dist/tools/bench/src/profile-summary.js bench-results/profiles/<run> [--top 25]
 *   … --callers '<regex of a frame>' [--depth 5]   (which call chains spend that frame's time)
 *   … --last <seconds>                  (only the profile's last seconds: leaves start-up out)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  wallSeconds: number;
  busySeconds: number;
  areas: { area: string; percent: number }[];
  frames: { frame: string; area: string; percent: number }[];
}

/** Only the samples of the profile's last `seconds` (start-up, module loading, left out). */
function windowed(profile: CpuProfile, seconds?: number): CpuProfile {
  if (!seconds) return profile;
  const from = profile.endTime - seconds * 1e6;
  let t = profile.startTime;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from) continue;
    samples.push(profile.samples[i]!);
    timeDeltas.push(profile.timeDeltas[i] ?? 0);
  }
  return { ...profile, samples, timeDeltas, startTime: Math.max(from, profile.startTime) };
}

const PACKAGE_AREAS: [RegExp, string][] = [
  [/node_modules\/kafkajs\//, 'kafkajs'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//, 'pg'],
  [/node_modules\/typeorm\//, 'typeorm'],
  [/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request|fast-json-stringify|pino|secure-json-parse)\//, 'fastify'],
  [/node_modules\/@nestjs\//, 'nest'],
  [/node_modules\/rxjs\//, 'rxjs'],
  [/node_modules\/(ioredis|@ioredis\/[^/]+|redis-parser|bullmq)\//, 'redis/bullmq'],
  [/node_modules\/@opentelemetry\//, 'tracing (otel)'],
  [/node_modules\/prom-client\//, 'metrics (prom-client)'],
  [/node_modules\/zod\//, 'validation (zod)'],
  [/node_modules\/([^/]+)\//, 'other packages'],
];

/** The area a frame's self time is charged to. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (native/unattributed)';
    return 'native';
  }
  for (const [re, area] of PACKAGE_AREAS) if (re.test(url)) return area;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const ours = /\/(apps|libs|tools)\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (ours) return `sigil ${ours[1]}/${ours[2]}/${ours[3]!.replace(/\.js$/, '')}`;
  return 'other';
}

export function summarize(file: string, top = 25, lastSeconds?: number): ProfileSummary {
  const profile = windowed(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, lastSeconds);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const areas = new Map<string, number>();
  const frames = new Map<string, { area: string; us: number }>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const area = areaOf(node.callFrame);
    if (area === 'idle') continue;
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`.trim();
    const entry = frames.get(key) ?? { area, us: 0 };
    entry.us += us;
    frames.set(key, entry);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(busy, 1)) / 10;
  return {
    file,
    wallSeconds: Math.round((profile.endTime - profile.startTime) / 1e5) / 10,
    busySeconds: Math.round(busy / 1e5) / 10,
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, percent: pct(us) })),
    frames: [...frames]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([frame, { area, us }]) => ({ frame, area, percent: pct(us) })),
  };
}

export function renderSummary(s: ProfileSummary): string {
  const lines = [`### ${basename(s.file)}: ${s.busySeconds} s busy of ${s.wallSeconds} s`, '', '| area | % of busy |', '|---|---|'];
  for (const a of s.areas.filter((a) => a.percent >= 0.5)) lines.push(`| ${a.area} | ${a.percent} |`);
  lines.push('', '| top self-time frame | area | % of busy |', '|---|---|---|');
  for (const f of s.frames) lines.push(`| \`${f.frame}\` | ${f.area} | ${f.percent} |`);
  return lines.join('\n');
}

/** Who calls the frames matching `pattern`: self time by the chain of `depth` callers above them. */
export function callersOf(file: string, pattern: RegExp, depth = 4, top = 15, lastSeconds?: number): string {
  const profile = windowed(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, lastSeconds);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const chains = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    if (!node || !pattern.test(`${node.callFrame.functionName} ${node.callFrame.url}`)) continue;
    const names: string[] = [];
    let id = parent.get(node.id);
    while (id !== undefined && names.length < depth) {
      const f = byId.get(id)!.callFrame;
      names.push(`${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.replace(/^.*\/(node_modules|dist)\//, '')}:${f.lineNumber + 1}` : ''}`);
      id = parent.get(id);
    }
    const key = names.join(' ← ');
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    chains.set(key, (chains.get(key) ?? 0) + us);
  }
  return [...chains]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([chain, us]) => `${Math.round((1000 * us) / Math.max(total, 1)) / 10}%  ${chain}`)
    .join('\n');
}

function profilesIn(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort();
}

if (require.main === module) {
  const [path, ...rest] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node dist/tools/bench/src/profile-summary.js <profile file or folder> [--top N]\n');
    process.exit(2);
  }
  const topAt = rest.indexOf('--top');
  const top = topAt >= 0 ? Number(rest[topAt + 1]) : 25;
  const callersAt = rest.indexOf('--callers');
  const lastAt = rest.indexOf('--last');
  const depthAt = rest.indexOf('--depth');
  const depth = depthAt >= 0 ? Number(rest[depthAt + 1]) : 5;
  const last = lastAt >= 0 ? Number(rest[lastAt + 1]) : undefined;
  for (const file of profilesIn(path)) {
    if (callersAt >= 0) process.stdout.write(`${file}\n${callersOf(file, new RegExp(rest[callersAt + 1] ?? '.'), depth, 15, last)}\n\n`);
    else process.stdout.write(renderSummary(summarize(file, top, last)) + '\n\n');
  }
}
