/**
 * `npm run scale-demo`: two replicas of every service as separate processes
 * against one PostgreSQL/Redis/Kafka, and printed evidence that
 * (a) requests spread over both gateways with an exact shared rate limit,
 * (b) service replicas share Kafka partitions (consumer-group assignments),
 * (c) two webhook workers share delivery jobs without double delivery,
 * (d) SIGKILL of one replica of each service loses no acknowledged write.
 * Ends with a summary table; exits 1 if any check failed. Run `npm run build` first.
 */
import './demo-namespace';
import { AssignerProtocol, Kafka } from 'kafkajs';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import {
  ApiClient,
  contactInput,
  createTenant,
  EventSpy,
  KAFKA_BROKERS,
  pollUntil,
  TestStack,
  WebhookReceiver,
  type ApiResponse,
  type ServiceName,
  type TestTenant,
} from '@sigil/testing';

interface Check {
  part: string;
  check: string;
  expected: string;
  actual: string;
  ok: boolean;
}

const checks: Check[] = [];
const BACKENDS: ServiceName[] = ['keys', 'contacts', 'segments', 'webhooks'];
const RATE_LIMIT = 20;
const WEBHOOK_CONTACTS = 200;
const KILL_PHASE_MS = Number(process.env['SCALE_DEMO_KILL_PHASE_MS'] ?? 40000);

function record(part: string, check: string, expected: string | number, actual: string | number, ok: boolean): void {
  checks.push({ part, check, expected: String(expected), actual: String(actual), ok });
  log(`  ${ok ? 'PASS' : 'FAIL'}  ${check}: expected ${expected}, got ${actual}`);
}

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

function table(rows: Array<Record<string, string | number>>): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => '  | ' + cells.map((c, i) => c.padEnd(width[i]!)).join(' | ') + ' |';
  log(line(cols));
  log('  |' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) log(line(cols.map((c) => String(r[c] ?? ''))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `ok` or the deadline; the last value either way (the demo reports, it does not throw). */
const eventually = <T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> => pollUntil(probe, ok, { timeoutMs, stepMs: 250 });

/** Sum of a counter in a Prometheus text exposition, over the samples whose labels contain `labelMatch`. */
async function metric(url: string, name: string, labelMatch = ''): Promise<number> {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(labelMatch)) continue;
    if (line[name.length] !== '{' && line[name.length] !== ' ') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

async function partA(stack: TestStack, tenant: TestTenant): Promise<void> {
  log(`\n(a) Gateway replicas share one exact rate limit: a key limited to ${RATE_LIMIT}/min, ${3 * RATE_LIMIT} requests alternating between the gateways`);
  const { key } = await tenant.createKey({ name: 'scale-demo limited', rate_limit_per_minute: RATE_LIMIT });
  const gateways = stack.processes.filter((p) => p.service === 'gateway');
  const clients = gateways.map((g) => new ApiClient(g.url, { authorization: `Bearer ${key}` }));
  const perGateway = gateways.map((g) => ({ gateway: g.name, pid: g.pid ?? 0, sent: 0, admitted: 0, limited: 0, other: 0 }));
  // Pairs in parallel (one request at each gateway at the same time), so both replicas race on the shared counter.
  for (let i = 0; i < 3 * RATE_LIMIT; i += 2) {
    await Promise.all(
      clients.map(async (client, g) => {
        const res = await client.get('/v1/me');
        const row = perGateway[g]!;
        row.sent++;
        if (res.status === 200) row.admitted++;
        else if (res.status === 429) row.limited++;
        else row.other++;
      }),
    );
  }
  table(perGateway);
  const admitted = perGateway.reduce((n, r) => n + r.admitted, 0);
  record(
    'a',
    'requests served by each gateway replica',
    '> 0 each',
    perGateway.map((r) => r.sent).join(' + '),
    perGateway.every((r) => r.sent > 0),
  );
  record('a', 'admitted across both gateways', RATE_LIMIT, admitted, admitted === RATE_LIMIT);
  record(
    'a',
    'other statuses than 200/429',
    0,
    perGateway.reduce((n, r) => n + r.other, 0),
    perGateway.every((r) => r.other === 0),
  );
}

async function partB(): Promise<void> {
  log('\n(b) Service replicas share Kafka partitions (consumer groups of this namespace, kafkajs admin describeGroups)');
  const admin = new Kafka({ clientId: 'scale-demo', brokers: KAFKA_BROKERS, logLevel: 0 }).admin();
  await admin.connect();
  try {
    const described = await eventually(
      async () => {
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${KAFKA_NAMESPACE}.`) && !g.includes('.spy.'));
        return (await admin.describeGroups(groups)).groups;
      },
      (gs) => gs.filter((g) => /\.rpc-server$/.test(g.groupId)).length >= BACKENDS.length && gs.every((g) => g.state === 'Stable'),
      30000,
    );
    const rows: Array<Record<string, string | number>> = [];
    for (const group of described.sort((x, y) => x.groupId.localeCompare(y.groupId))) {
      for (const member of group.members) {
        const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        const parts = Object.entries(assignment?.assignment ?? {}).flatMap(([topic, ps]) => ps.map((p) => `${topic.slice(KAFKA_NAMESPACE.length + 1)}/${p}`));
        rows.push({
          group: group.groupId.slice(KAFKA_NAMESPACE.length + 1),
          member: `${member.clientId}…${member.memberId.slice(-6)}`,
          partitions: parts.length,
          sample: parts.slice(0, 3).join(' ') + (parts.length > 3 ? ' …' : ''),
        });
      }
    }
    table(rows);
    for (const service of BACKENDS) {
      const group = described.find((g) => g.groupId === `${KAFKA_NAMESPACE}.${service}.rpc-server`);
      const counts = (group?.members ?? []).map((m) => Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).flat().length);
      record(
        'b',
        `${service}.rpc-server: members each holding partitions`,
        '2 members, > 0 each',
        counts.join(' + ') || 'none',
        counts.length === 2 && counts.every((c) => c > 0),
      );
    }
    // The gateways' key-cache consumers are one group per replica on purpose: every replica must see every revocation.
    const broadcast = described.filter((g) => g.groupId.startsWith(`${KAFKA_NAMESPACE}.gateway.keycache.`));
    const broadcastCounts = broadcast.map((g) =>
      g.members.map((m) => Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).flat().length).join('+'),
    );
    record(
      'b',
      'gateway key-cache: one group per replica, each reading every partition',
      '2 groups of 1 member',
      `${broadcast.length} groups: ${broadcastCounts.join(', ')}`,
      broadcast.length === 2 && broadcast.every((g) => g.members.length === 1),
    );
    for (const group of described.filter((g) => !/\.rpc-server$|replies-client$/.test(g.groupId) && !broadcast.includes(g))) {
      const counts = group.members.map((m) => Object.values(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}).flat().length);
      record(
        'b',
        `${group.groupId.slice(KAFKA_NAMESPACE.length + 1)}: event consumers share partitions`,
        '2 members, > 0 each',
        counts.join(' + '),
        counts.length === 2 && counts.every((c) => c > 0),
      );
    }
  } finally {
    await admin.disconnect();
  }
}

async function partC(stack: TestStack, tenant: TestTenant, receiver: WebhookReceiver): Promise<void> {
  log(`\n(c) Two webhook workers share delivery jobs: one endpoint, ${WEBHOOK_CONTACTS} contacts, deliveries counted per webhook-id`);
  const path = '/scale-demo';
  const endpoint = await tenant.api.post('/v1/webhooks', { url: receiver.url(path), events: ['contact.created'], description: 'scale demo' });
  if (endpoint.status !== 201) {
    record('c', 'register webhook endpoint (POST /v1/webhooks)', 201, `${endpoint.status} ${JSON.stringify(endpoint.body).slice(0, 120)}`, false);
    return;
  }
  receiver.expectSecrets(path, [endpoint.body.data.secret]);
  const workers = stack.processes.filter((p) => p.service === 'webhooks');
  const before = await Promise.all(workers.map((w) => metric(w.url, 'sigil_webhook_deliveries_total', 'outcome="delivered"')));
  const gateways = stack.processes.filter((p) => p.service === 'gateway').map((g) => new ApiClient(g.url, tenant.api.defaultHeaders));
  const created = new Set<string>();
  const refused = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      while (next < WEBHOOK_CONTACTS) {
        next++;
        const res = await gateways[lane % gateways.length]!.post('/v1/contacts', contactInput());
        if (res.status === 201) created.add(res.body.data.id);
        else refused.set(`${res.status} ${res.body?.error?.code ?? ''}`, (refused.get(`${res.status} ${res.body?.error?.code ?? ''}`) ?? 0) + 1);
      }
    }),
  );
  // A 504 means "outcome unknown" (the write may have happened and will then be delivered too); anything else is a failure.
  log(`  contacts acknowledged (201): ${created.size} of ${WEBHOOK_CONTACTS}; not acknowledged: ${[...refused].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}`);
  const unexpected = [...refused].filter(([k]) => !k.startsWith('504')).reduce((n, [, c]) => n + c, 0);
  record('c', 'contact writes answered other than 201 or 504 upstream_timeout', 0, unexpected, unexpected === 0);
  await eventually(
    () => new Set(receiver.deliveries.filter((d) => d.path === path).map((d) => d.payload.data.contact.id as string)),
    (seen) => [...created].every((id) => seen.has(id)),
    90000,
  );
  await sleep(2000); // late duplicates, if any, would show up now
  const all = receiver.deliveries.filter((d) => d.path === path);
  const perId = new Map<string, number>();
  for (const d of all) perId.set(d.headers['webhook-id'] ?? '?', (perId.get(d.headers['webhook-id'] ?? '?') ?? 0) + 1);
  const after = await Promise.all(workers.map((w) => metric(w.url, 'sigil_webhook_deliveries_total', 'outcome="delivered"')));
  const byWorker = workers.map((w, i) => ({ worker: w.name, pid: w.pid ?? 0, delivered: after[i]! - before[i]! }));
  table(byWorker);
  const contacts = new Set(all.map((d) => d.payload.data.contact.id));
  const duplicates = [...perId.values()].filter((n) => n > 1).length;
  const unverified = all.filter((d) => d.verifiedWith.length === 0).length;
  log(`  received ${all.length} deliveries, ${perId.size} distinct webhook-ids, ${contacts.size} distinct contacts`);
  record(
    'c',
    'every acknowledged contact delivered',
    created.size,
    [...created].filter((id) => contacts.has(id)).length,
    [...created].every((id) => contacts.has(id)),
  );
  record('c', 'webhook-ids delivered more than once', 0, duplicates, duplicates === 0);
  record('c', 'deliveries failing signature verification', 0, unverified, unverified === 0);
  record(
    'c',
    'deliveries made by each worker',
    '> 0 each',
    byWorker.map((w) => w.delivered).join(' + '),
    byWorker.every((w) => w.delivered > 0),
  );
}

async function partD(stack: TestStack, tenant: TestTenant, spy: EventSpy, receiver: WebhookReceiver): Promise<void> {
  log(`\n(d) SIGKILL one replica of each service while writing contacts through the surviving gateway (${KILL_PHASE_MS / 1000} s)`);
  const survivor = new ApiClient(stack.get('gateway-2').url, tenant.api.defaultHeaders);
  const acknowledged: string[] = [];
  const failures = new Map<string, number>();
  let stop = false;
  const started = Date.now();
  const writers = Array.from({ length: 3 }, async () => {
    while (!stop) {
      const t0 = Date.now();
      const res: ApiResponse = await survivor.post('/v1/contacts', contactInput()).catch((err: unknown) => ({ status: 0, headers: new Headers(), body: String(err) }));
      if (res.status === 201) acknowledged.push(res.body.data.id);
      else {
        const key = `${res.status} ${res.body?.error?.code ?? ''}`.trim();
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
      await sleep(Math.max(0, 300 - (Date.now() - t0))); // ~10 writes/s: under the plan's per-minute limit
    }
  });
  const killed: Array<Record<string, string | number>> = [];
  await sleep(3000);
  for (const name of ['gateway', 'keys', 'contacts', 'segments', 'webhooks']) {
    const p = stack.get(name);
    const pid = p.pid ?? 0;
    const ackBefore = acknowledged.length;
    await p.kill();
    killed.push({ process: name, pid, signal: 'SIGKILL', at_s: ((Date.now() - started) / 1000).toFixed(1), acked_so_far: ackBefore });
    await sleep(1500);
  }
  while (Date.now() - started < KILL_PHASE_MS) await sleep(200);
  stop = true;
  await Promise.all(writers);
  table(killed);
  log(`  acknowledged (201) writes: ${acknowledged.length}; not acknowledged: ${[...failures].map(([k, n]) => `${n}× ${k}`).join(', ') || 'none'}`);
  const missing: string[] = [];
  for (const id of acknowledged) {
    const res = await survivor.get(`/v1/contacts/${id}`);
    if (res.status !== 200) missing.push(`${id}:${res.status}`);
  }
  record(
    'd',
    'acknowledged contacts readable after the kills (GET each)',
    acknowledged.length,
    acknowledged.length - missing.length,
    missing.length === 0 && acknowledged.length > 0,
  );
  if (missing.length) log(`  missing: ${missing.slice(0, 10).join(', ')}`);
  const onKafka = await eventually(
    () => new Set(spy.events.filter((e) => e.type === 'contact.created').map((e) => (e.data as { contact: { id: string } }).contact.id)),
    (seen) => acknowledged.every((id) => seen.has(id)),
    60000,
  );
  const reached = acknowledged.filter((id) => onKafka.has(id)).length;
  record('d', 'their contact.created events on Kafka', acknowledged.length, reached, reached === acknowledged.length);
  const delivered = await eventually(
    () => new Set(receiver.deliveries.filter((d) => d.path === '/scale-demo').map((d) => d.payload.data.contact.id as string)),
    (seen) => acknowledged.every((id) => seen.has(id)),
    90000,
  );
  const deliveredCount = acknowledged.filter((id) => delivered.has(id)).length;
  record('d', 'their webhooks delivered by the surviving worker', acknowledged.length, deliveredCount, deliveredCount === acknowledged.length);
  const perContact = new Map<string, number>();
  for (const d of receiver.deliveries.filter((x) => x.path === '/scale-demo'))
    perContact.set(d.payload.data.contact.id, (perContact.get(d.payload.data.contact.id) ?? 0) + 1);
  const redelivered = acknowledged.filter((id) => (perContact.get(id) ?? 0) > 1).length;
  log(`  webhooks delivered more than once for these contacts (at-least-once after a crash; receivers dedupe on webhook-id): ${redelivered}`);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(`scale-demo: namespace ${KAFKA_NAMESPACE}; starting 2 replicas of each of gateway, ${BACKENDS.join(', ')} …`);
  const receiver = await WebhookReceiver.start();
  let stack: TestStack | undefined;
  let spy: EventSpy | undefined;
  try {
    stack = await TestStack.start({
      replicas: 2,
      gatewayReplicas: 2,
      serviceEnv: { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8' } },
    });
    spy = await EventSpy.start();
    table(stack.processes.map((p) => ({ process: p.name, pid: p.pid ?? 0, url: p.url })));
    log(`  logs: ${stack.logDir}`);
    const tenant = await createTenant(stack.gatewayUrl);
    await partA(stack, tenant);
    await partB();
    await partC(stack, tenant, receiver);
    await partD(stack, tenant, spy, receiver);
  } catch (err) {
    record('-', 'demo ran to the end', 'no error', err instanceof Error ? err.message.split('\n')[0]! : String(err), false);
  } finally {
    await spy?.stop().catch(() => undefined);
    await stack?.close();
    await receiver.close();
  }
  log(`\nSummary (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  table(checks.map((c) => ({ part: c.part, check: c.check, expected: c.expected, actual: c.actual, result: c.ok ? 'PASS' : 'FAIL' })));
  const failed = checks.filter((c) => !c.ok).length;
  log(`\n${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

void main();
