/**
 * The import-job row of the contacts bench (issue #16 targets): a CSV of
 * `BENCH_CONTACTS_IMPORT_ROWS` rows (default 1 000 000, `--quick` 20 000; the variable wins over both)
 * uploaded to `POST /v1/imports`, timed from the first byte sent to the job's
 * `completed`; the contacts process's peak RSS sampled meanwhile (the worker
 * runs in it); the CPU time per 1 000 rows of the processes involved
 * (contacts-cpu.ts); and every `contact.created` of the tenant counted on Kafka
 * (after `completed`, with the time the last one was produced).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { EVENT_TOPIC_OF, KAFKA_NAMESPACE } from '@sigil/contracts';
import { KAFKA_BROKERS, type ApiClient } from '@sigil/testing';
import type { BenchRow } from '../scenario';
import { cpuPerThousand, loadNote, loadNow, spentWhenSettled, startCpuMeter } from './contacts-cpu';

const PLANS = ['free', 'starter', 'pro', 'team', 'enterprise'];

/** Resident set size of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/**
 * Counts distinct contacts in `contact.created` events of one tenant, from the start of the topic, and the
 * latest time one of them was produced (the relay's produce time, the message's CreateTime). Started once the
 * job is `completed`: a consumer reading and parsing every event during the timed window took its CPU from the
 * platform on the same two cores (session 18), which no user's import has to share.
 */
async function countCreatedEvents(tenantId: string) {
  const kafka = new Kafka({ clientId: 'bench-import-events', brokers: KAFKA_BROKERS, logLevel: 0 });
  const consumer = kafka.consumer({ groupId: `${KAFKA_NAMESPACE}.bench-import.${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [EVENT_TOPIC_OF['contact.created']], fromBeginning: true });
  const ids = new Set<string>();
  let lastProducedAt = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const e = JSON.parse(message.value.toString()) as { type: string; tenant_id: string; data: { contact?: { id: string } } };
      if (e.type === 'contact.created' && e.tenant_id === tenantId && e.data.contact) {
        ids.add(e.data.contact.id);
        lastProducedAt = Math.max(lastProducedAt, Number(message.timestamp));
      }
    },
  });
  return { ids, lastProducedAt: () => lastProducedAt, stop: () => consumer.disconnect() };
}

function csvOf(rows: number): Buffer {
  const stamp = Date.now().toString(36);
  const parts: string[] = ['email,first_name,last_name,tags,ltv,plan\n'];
  for (let i = 0; i < rows; i++) {
    parts.push(
      `job.${stamp}.${i}@example.com,${i % 3 ? 'Grace' : 'Alan'},Hopper,${i % 10 === 0 ? 'vip;imported' : 'imported'},${(i * 37) % 1000},${PLANS[i % PLANS.length]}\n`,
    );
  }
  return Buffer.from(parts.join(''));
}

export async function importJobRow(
  api: ApiClient,
  quick: boolean,
  pids: Partial<Record<string, number>> | undefined,
  databaseUrl: string | undefined,
): Promise<BenchRow> {
  const contactsPid = pids?.['contacts'];
  const rows = Number(process.env['BENCH_CONTACTS_IMPORT_ROWS'] ?? (quick ? 20000 : 1_000_000));
  const me = await api.get('/v1/me');
  const tenantId: string = me.body?.data?.tenant?.id;
  let events: Awaited<ReturnType<typeof countCreatedEvents>> | undefined;
  const file = csvOf(rows);
  // RSS before the job too: V8 keeps the heap the batch rows grew, so the peak alone does not say what the job added.
  const startRss = contactsPid ? rssMb(contactsPid) : 0;
  let peakRss = startRss;
  const sampler = contactsPid ? setInterval(() => (peakRss = Math.max(peakRss, rssMb(contactsPid))), 250) : undefined;
  const load = loadNow();
  const meter = await startCpuMeter(pids, databaseUrl);
  try {
    const t0 = performance.now();
    const startedAt = Date.now();
    const options = {
      format: 'csv',
      mapping: { email: 'email', first_name: 'first_name', last_name: 'last_name', tags: 'tags', ltv: 'custom_fields.ltv', plan: 'custom_fields.plan' },
    };
    const res = await api.upload('/v1/imports', options, file, 'bench.csv');
    if (res.status !== 202) throw new Error(`POST /v1/imports answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    const uploadMs = performance.now() - t0;
    let job = res.body.data;
    while (job.status === 'queued' || job.status === 'running') {
      await new Promise((r) => setTimeout(r, 250));
      job = (await api.get(`/v1/imports/${res.body.data.id}`)).body.data;
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuPerThousand(await meter.stop(), rows);
    const settled = await spentWhenSettled(meter, databaseUrl);
    events = await countCreatedEvents(tenantId);
    const deadline = Date.now() + 180_000;
    while (events.ids.size < job.created && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const eventsSeconds = (events.lastProducedAt() - startedAt) / 1000;
    return {
      benchmark: 'import job `POST /v1/imports` (CSV, upload to `completed`)',
      'tenant contacts': job.created,
      detail:
        `${rows} rows, ${(file.length / 1e6).toFixed(0)} MB; upload ${(uploadMs / 1000).toFixed(1)} s; ${loadNote(load)}; contacts RSS ${startRss} MB at the start, ` +
        `peak ${peakRss} MB; ${events.ids.size}/${job.created} contact.created on Kafka (the last ${eventsSeconds.toFixed(1)} s after the first byte); ${job.status}; ` +
        `until completed: ${cpu}; ${settled.settled ? 'with' : 'NOT SETTLED, at'} the relay and consumers done (${(settled.waitedMs / 1000).toFixed(0)} s later): ${cpuPerThousand(settled.spent, rows)}`,
      throughput: `${Math.round(job.created / seconds)} contacts/s`,
      'p50 ms': '–',
      'p99 ms': '–',
      errors: job.failed,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    await events?.stop();
  }
}
