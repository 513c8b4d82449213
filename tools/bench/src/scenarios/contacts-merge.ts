/**
 * The merge row of the contacts bench (issue #16 target: ≤ 200 ms for a
 * contact with 1 000 activities and 10 list memberships): a primary and a
 * duplicate created through the API, the duplicate put on 10 lists through
 * the API and given 1 000 activities straight in the contacts database (1 000
 * API calls would spend the plan's rate limit, not measure the merge), then
 * `POST /v1/contacts/merge` timed end to end through the gateway.
 */
import { Client } from 'pg';
import type { ApiClient } from '@sigil/testing';
import { percentile, round } from '../load';
import type { BenchRow } from '../scenario';

const ACTIVITIES = 1000;
const LISTS = 10;

export async function mergeRow(api: ApiClient, databaseUrl: string | undefined, samples: number): Promise<BenchRow> {
  const name = 'merge `POST /v1/contacts/merge` (1 000 activities, 10 lists)';
  if (!databaseUrl) {
    return { benchmark: name, 'tenant contacts': '–', detail: 'skipped: needs BENCH_CONTACTS_DATABASE_URL', throughput: '–', 'p50 ms': '–', 'p99 ms': '–', errors: 0 };
  }
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const lists: string[] = [];
  for (let i = 0; i < LISTS; i++) lists.push((await api.post('/v1/lists', { name: `bench merge ${Date.now()} ${i}` })).body.data.id);
  const tenantId: string = (await api.get('/v1/me')).body.data.tenant.id;
  const latencies: number[] = [];
  let errors = 0;
  try {
    for (let s = 0; s < samples; s++) {
      const stamp = `${Date.now().toString(36)}.${s}`;
      const primary = (await api.post('/v1/contacts', { email: `merge.p.${stamp}@example.com` })).body.data;
      const dup = (await api.post('/v1/contacts', { email: `merge.d.${stamp}@example.com`, tags: ['dup'] })).body.data;
      for (const list of lists) await api.post(`/v1/lists/${list}/members`, { contact_ids: [dup.id] });
      await db.query(
        `INSERT INTO activities (id, tenant_id, mode, contact_id, type, occurred_at, properties, created_at)
         SELECT 'act_bench_' || $1 || '_' || g, $2, 'live', $3, 'page_view', now() - g * interval '1 minute', '{"path": "/x"}', now()
         FROM generate_series(1, $4::int) g`,
        [stamp.replace(/\W/g, '_'), tenantId, dup.id, ACTIVITIES],
      );
      const t0 = performance.now();
      const res = await api.post('/v1/contacts/merge', { primary_id: primary.id, duplicate_ids: [dup.id] });
      latencies.push(performance.now() - t0);
      if (res.status !== 200) errors++;
    }
  } finally {
    await db.end();
  }
  return {
    benchmark: name,
    'tenant contacts': '–',
    detail: `${samples} merges, one after another`,
    throughput: '–',
    'p50 ms': round(percentile(latencies, 50), 1),
    'p99 ms': round(percentile(latencies, 99), 1),
    errors,
  };
}
