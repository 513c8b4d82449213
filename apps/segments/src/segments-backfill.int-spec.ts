/**
 * Backfills and time sweeps over a tenant of many contacts (issue #17: a
 * relative-date segment over 1 M contacts was not ready after 15 minutes).
 * Every statement the builder runs by contact id is EXPLAINed with its real
 * parameters: none may scan the contacts table (a scan per chunk made the
 * backfill quadratic). Each kind of condition the bench's live segments use
 * is built and its materialised count compared with the live preview, and a
 * relative-date boundary is crossed through the sweeper the same way.
 * After a segment's first sweep, later sweeps look only at what can have
 * changed since (sweep-window.ts): their candidate statements are EXPLAINed
 * too, and must find `created_at` and activity boundaries by index.
 */
import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import type { RequestContext } from '@sigil/contracts';
import { createDataSource, runMigrationsLocked } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, testContext } from '@sigil/testing';
import type { Clock } from './clock';
import type { MembershipService } from './membership/membership.service';
import type { SegmentBuilder } from './membership/segment-builder';
import { SEGMENTS_MIGRATIONS } from './migrations';
import type { ExportSnapshots } from './segments/export-snapshots';
import type { SegmentsService } from './segments/segments.service';
import { segmentsServices } from './test/segments-services';

/** Enough contacts for the planner to weigh a table scan against a chunk's index probes. */
const CONTACTS = 20000;
const NOW = '2026-06-15T12:00:00Z';

class FixedClock implements Clock {
  at = Date.parse(NOW);
  now(): Date {
    return new Date(this.at);
  }
}

let url: string;
let ds: DataSource;
let clock: FixedClock;
let membership: MembershipService;
let builder: SegmentBuilder;
let segments: SegmentsService;
let snapshots: ExportSnapshots;
const ctx: RequestContext = testContext();

/** Statements run while recording, with their parameters (the sweep's set-based candidate diff excepted: it reads every contact by design). */
let recording: Array<{ sql: string; params: unknown[] }> | undefined;
let inCandidates = false;
/** The sweep's candidate statements, by segment, while recording them. */
let candidateLog: Array<{ segmentId: string; sql: string; params: unknown[] }> | undefined;
let candidatesOf: string | undefined;
const originalQuery = PostgresQueryRunner.prototype.query;

beforeAll(async () => {
  url = await createTestDatabase('segments');
  ds = await createDataSource({ url, poolSize: 10, entities: [], migrations: SEGMENTS_MIGRATIONS, service: 'segments' }).initialize();
  await runMigrationsLocked(ds, 'segments');
  clock = new FixedClock();
  ({ membership, builder, snapshots, segments } = segmentsServices(ds, clock, { chunkSize: 500, sweepIntervalMs: 1000, leaseSeconds: 60 }));
  const candidates = membership.candidates.bind(membership);
  membership.candidates = async (...args) => {
    inCandidates = true;
    candidatesOf = args[1].id;
    try {
      return await candidates(...args);
    } finally {
      inCandidates = false;
      candidatesOf = undefined;
    }
  };
  PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, sql: string, params?: unknown[], structured?: boolean) {
    if (recording && !inCandidates) recording.push({ sql, params: params ?? [] });
    if (candidateLog && candidatesOf) candidateLog.push({ segmentId: candidatesOf, sql, params: params ?? [] });
    return originalQuery.call(this, sql, params, structured);
  } as typeof originalQuery;

  // The bench's seed (tools/bench/src/scenarios/segments.scenario.ts), plus date strings of every shape.
  await ds.query(
    `INSERT INTO contacts (tenant_id, mode, id, email, first_name, tags, custom_fields, created_at, updated_at, version)
     SELECT $1, 'live', 'con_BACKFILL' || lpad(g::text, 14, '0'),
            'user' || g || CASE WHEN g % 3 = 0 THEN '@example.com' ELSE '@example.org' END, 'Name' || g,
            CASE WHEN g % 5 = 0 THEN ARRAY['vip'] ELSE ARRAY['news'] END,
            jsonb_build_object('ltv', g % 1000, 'plan', (ARRAY['free','pro','team'])[1 + g % 3],
                               'renews_on', CASE g % 10
                                 WHEN 0 THEN to_jsonb(to_char($2::timestamptz + (g % 400 - 30) * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"+02:00"'))
                                 WHEN 1 THEN to_jsonb(to_char($2::timestamptz + (g % 400 - 30) * interval '1 hour', 'YYYY-MM-DD HH24:MI'))
                                 WHEN 2 THEN to_jsonb((ARRAY['2026-02-29', '2026-06-31', 'soon', '0000-06-20', '2026-06-20T25:00', '2026-06-20T10:00:00+99:00'])[1 + g % 6])
                                 WHEN 3 THEN to_jsonb(20260620)
                                 WHEN 4 THEN to_jsonb(to_char($2::timestamptz - interval '2 years' + (g % 40 - 10) * interval '1 day', 'YYYY-MM-DD'))
                                 ELSE to_jsonb(to_char($2::timestamptz + (g % 400 - 30) * interval '1 day', 'YYYY-MM-DD')) END),
            $2::timestamptz - (g % 365) * interval '1 day' - (g % 24) * interval '1 hour', $2::timestamptz - (g % 3) * interval '1 day', 1
       FROM generate_series(1, $3::int) g`,
    [ctx.tenant_id, NOW, CONTACTS],
  );
  await ds.query(
    `INSERT INTO custom_field_kinds (tenant_id, mode, key, kind) VALUES ($1, 'live', 'ltv', 'number'), ($1, 'live', 'plan', 'string'), ($1, 'live', 'renews_on', 'mixed')`,
    [ctx.tenant_id],
  );
  await ds.query('ANALYZE contacts');
});

afterAll(async () => {
  PostgresQueryRunner.prototype.query = originalQuery;
  await snapshots?.onApplicationShutdown();
  await ds?.destroy();
  if (url) await dropTestDatabase(url);
});

/** Plan nodes that read a whole table (contacts unless told). */
function tableScans(plan: Record<string, unknown>, tables: string[] = ['contacts']): string[] {
  const here =
    tables.includes(String(plan['Relation Name'])) && String(plan['Node Type']).includes('Seq Scan')
      ? [`${String(plan['Node Type'])} on ${String(plan['Relation Name'])}`]
      : [];
  return [...here, ...((plan['Plans'] as Array<Record<string, unknown>> | undefined) ?? []).flatMap((p) => tableScans(p, tables))];
}

/** Runs `work` and EXPLAINs each SELECT it ran that reads contacts; returns those planned as a table scan. */
async function scansDuring(work: () => Promise<unknown>): Promise<string[]> {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  recording = statements;
  try {
    await work();
  } finally {
    recording = undefined;
  }
  const reads = statements.filter((s) => /^\s*(WITH|SELECT)\b/i.test(s.sql) && /\bcontacts\b/.test(s.sql));
  expect(reads.length).toBeGreaterThan(0);
  const scans = new Set<string>();
  for (const s of reads) {
    const [row] = (await ds.query(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.params)) as Array<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>;
    if (tableScans(row!['QUERY PLAN'][0]!.Plan).length) scans.add(s.sql.replace(/\s+/g, ' ').slice(0, 160));
  }
  return [...scans];
}

async function built(rules: unknown): Promise<{ id: string; scans: string[] }> {
  const segment = await segments.create(ctx, { name: 'S', rules });
  const scans = await scansDuring(() => builder.buildPending());
  expect((await segments.get(ctx, segment.id)).status).toBe('ready');
  return { id: segment.id, scans };
}

async function expectExact(segmentId: string, rules: unknown): Promise<number> {
  const materialised = await segments.count(ctx, segmentId);
  expect(materialised.status).toBe('ready');
  const live = await segments.preview(ctx, { rules, limit: 0 });
  expect(materialised.count).toBe(live.count);
  return live.count;
}

describe('date helpers', () => {
  it('read every shape of date string as the exact (exception-guarded) reading does', async () => {
    const differing: Array<{ n: string }> = await ds.query(
      `SELECT count(*) AS n FROM contacts c, unnest(ARRAY['UTC', 'America/New_York', 'Asia/Kolkata']) AS z(tz)
        WHERE c.tenant_id = $1
          AND (sigil_try_timestamptz(c.custom_fields ->> 'renews_on', z.tz) IS DISTINCT FROM sigil_try_timestamptz_checked(c.custom_fields ->> 'renews_on', z.tz)
               OR sigil_try_timestamptz(c.custom_fields ->> 'renews_on') IS DISTINCT FROM sigil_try_timestamptz_checked(c.custom_fields ->> 'renews_on'))`,
      [ctx.tenant_id],
    );
    expect(Number(differing[0]!.n)).toBe(0);
    const parsed: Array<{ fast: string; unparsed: string }> = await ds.query(
      `SELECT count(*) FILTER (WHERE sigil_try_timestamptz(custom_fields ->> 'renews_on') IS NOT NULL) AS fast,
              count(*) FILTER (WHERE sigil_try_timestamptz(custom_fields ->> 'renews_on') IS NULL) AS unparsed
         FROM contacts WHERE tenant_id = $1`,
      [ctx.tenant_id],
    );
    // Most values parse; the invalid ones (29 February 2026, 31 June, year 0, hour 25, offset +99, a number, text) read as no date.
    expect(Number(parsed[0]!.fast)).toBeGreaterThan(CONTACTS * 0.7);
    expect(Number(parsed[0]!.unparsed)).toBeGreaterThan(CONTACTS * 0.1);
  });
});

// First, while its segment is the only time-dependent one the sweeper visits.
describe('time sweep over many contacts', () => {
  afterAll(() => {
    clock.at = Date.parse(NOW); // the seed's dates are relative to NOW
  });

  it('a relative-date boundary crossed by thousands at once: the sweep reconciles them by index probes, exactly', async () => {
    const rules = { attribute: 'created_at', op: 'older_than_days', value: 100 };
    const { id } = await built(rules);
    const before = await expectExact(id, rules);
    clock.at += 20 * 86_400_000; // 20 more days of contacts are now older than 100 days
    const scans = await scansDuring(() => builder.sweepTimeWindows());
    expect(scans).toEqual([]);
    const after = await expectExact(id, rules);
    expect(after - before).toBeGreaterThan(1000);
  });
});

describe('backfill over many contacts', () => {
  let hot: string;

  beforeAll(async () => {
    hot = (await built({ tag: 'vip', op: 'has' })).id;
  });

  it.each([
    ['older_than_days on created_at', { attribute: 'created_at', op: 'older_than_days', value: 30 }],
    ['within_last_days on created_at', { attribute: 'created_at', op: 'within_last_days', value: 7 }],
    ['within_last_days on updated_at', { attribute: 'updated_at', op: 'within_last_days', value: 1 }],
    ['anniversary of created_at', { attribute: 'created_at', op: 'anniversary_within_days', value: 3 }],
    ['within_next_days on a custom field', { custom_field: 'renews_on', op: 'within_next_days', value: 14 }],
    ['within_last_days on a custom field, in a zone', { custom_field: 'renews_on', op: 'within_last_days', value: 10, tz: 'America/New_York' }],
    ['anniversary of a custom field, in a zone', { custom_field: 'renews_on', op: 'anniversary_within_days', value: 7, tz: 'Europe/Paris' }],
    ['a random bucket', { random_bucket: { percent: 10, salt: 'bench-a' } }],
    ['a random bucket and a tag', { and: [{ random_bucket: { percent: 50, salt: 'bench-b', offset: 50 } }, { tag: 'vip', op: 'has' }] }],
    ['in another segment', { segment: '$hot', op: 'in' }],
    [
      'not in another segment, with a relative date',
      {
        and: [
          { segment: '$hot', op: 'not_in' },
          { attribute: 'created_at', op: 'within_last_days', value: 3650 },
        ],
      },
    ],
    [
      'three conditions',
      {
        and: [
          { custom_field: 'ltv', op: 'gte', value: 500 },
          { tag: 'vip', op: 'has' },
          { attribute: 'email', op: 'ends_with', value: '@example.com' },
        ],
      },
    ],
  ])('%s: built by index probes, materialised count = live count', async (_name, template) => {
    const rules = JSON.parse(JSON.stringify(template).replaceAll('$hot', hot)) as unknown;
    const { id, scans } = await built(rules);
    expect(scans).toEqual([]);
    const count = await expectExact(id, rules);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(CONTACTS);
  });
});

describe('keyset pages late in a large segment', () => {
  /** Rows read from contacts by a plan (each node's rows × loops). */
  function contactsRead(plan: Record<string, unknown>): number {
    const here = plan['Relation Name'] === 'contacts' ? Number(plan['Actual Rows']) * Number(plan['Actual Loops']) : 0;
    return here + ((plan['Plans'] as Array<Record<string, unknown>> | undefined) ?? []).reduce((n, p) => n + contactsRead(p), 0);
  }

  it('read only their own page of contacts (export chunks, member ids), not every contact before it', async () => {
    const { id } = await built({ random_bucket: { percent: 100, salt: 'everyone' } });
    const ids = ((await ds.query(`SELECT id FROM contacts WHERE tenant_id = $1 ORDER BY id`, [ctx.tenant_id])) as Array<{ id: string }>).map((r) => r.id);
    const after = ids[ids.length - 1500]!;
    const statements: Array<{ sql: string; params: unknown[] }> = [];
    recording = statements;
    try {
      const chunk = await segments.exportChunk(ctx, { segment_id: id, format: 'csv', after, limit: 2000, snapshot: null });
      expect(chunk.rows).toBe(1499);
      expect((await segments.memberIds(ctx, id, after, 1000)).ids).toHaveLength(1000);
    } finally {
      recording = undefined;
    }
    const pages = statements.filter((st) => /FROM segment_members m\s+JOIN contacts c/.test(st.sql));
    expect(pages).toHaveLength(2);
    for (const st of pages) {
      // As a merge join (what PostgreSQL chose at 1 M members): without the bound on contacts' side,
      // its scan of contacts started at the tenant's first contact and read the ~18 500 before the page too.
      const plan = await ds.transaction(async (m) => {
        await m.query('SET LOCAL enable_nestloop = off');
        await m.query('SET LOCAL enable_hashjoin = off');
        const [row] = (await m.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params)) as Array<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>;
        return row!['QUERY PLAN'][0]!.Plan;
      });
      expect(JSON.stringify(plan)).toContain('Merge Join');
      expect(contactsRead(plan)).toBeLessThanOrEqual(1600);
    }
  });
});

describe('time sweeps after the first: only what can have changed', () => {
  const TABLES = ['contacts', 'contact_activities', 'segment_members'];

  beforeAll(async () => {
    clock.at = Date.parse(NOW);
    // Purchases of the first 5 000 contacts over the last 60 days.
    await ds.query(
      `INSERT INTO contact_activities (tenant_id, mode, id, contact_id, type, occurred_at)
       SELECT $1, 'live', 'act_BACKFILL' || lpad(g::text, 14, '0'), 'con_BACKFILL' || lpad(g::text, 14, '0'), 'purchase',
              $2::timestamptz - (g % 60) * interval '1 day' - (g % 24) * interval '1 hour'
         FROM generate_series(1, 5000) g`,
      [ctx.tenant_id, NOW],
    );
    await ds.query('ANALYZE contact_activities');
  });

  it('find boundary crossers by index (created_at, activities), skip anniversaries until the day changes, and stay exact', async () => {
    const cases = {
      created: { attribute: 'created_at', op: 'older_than_days', value: 30 },
      createdWithin: { attribute: 'created_at', op: 'within_last_days', value: 7 },
      activity: { activity: 'purchase', op: 'at_least', count: 1, within_days: 30 },
      anniversary: { attribute: 'created_at', op: 'anniversary_within_days', value: 3, tz: 'Europe/Paris' },
      // No index for these: their window reads the tenant's dates, and must be exact all the same.
      customField: { custom_field: 'renews_on', op: 'within_next_days', value: 14 },
      updated: { attribute: 'updated_at', op: 'within_last_days', value: 1 },
    };
    const ids: Record<string, string> = {};
    for (const [name, rules] of Object.entries(cases)) ids[name] = (await built(rules)).id;
    const counts = async () => Object.fromEntries(await Promise.all(Object.entries(cases).map(async ([name, rules]) => [name, await expectExact(ids[name]!, rules)])));

    // The first sweep after a build compares everything (exactness unknown), and records when it was exact.
    clock.at += 1000;
    await builder.sweepTimeWindows();
    const before = await counts();

    // 9 hours later: 21:00 UTC, 23:00 in Paris (same day); contacts and purchases cross 30-day and 7-day boundaries.
    clock.at += 9 * 3_600_000;
    candidateLog = [];
    try {
      await builder.sweepTimeWindows();
    } finally {
      const log = candidateLog;
      candidateLog = undefined;
      for (const name of ['created', 'createdWithin', 'activity']) {
        const statements = log.filter((l) => l.segmentId === ids[name]);
        expect(statements.length).toBeGreaterThan(0);
        for (const st of statements) {
          const [row] = (await ds.query(`EXPLAIN (FORMAT JSON) ${st.sql}`, st.params)) as Array<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>;
          expect([name, tableScans(row!['QUERY PLAN'][0]!.Plan, TABLES)]).toEqual([name, []]);
        }
      }
      expect(log.filter((l) => l.segmentId === ids['anniversary'])).toEqual([]);
    }
    const after = await counts();
    expect(after['created']).toBeGreaterThan(before['created']);
    expect(after['createdWithin']).toBeLessThan(before['createdWithin']);
    expect(after['activity']).toBeLessThan(before['activity']);

    // Past midnight in Paris: the anniversary segment is compared again (and stays exact).
    clock.at += 2 * 3_600_000;
    candidateLog = [];
    try {
      await builder.sweepTimeWindows();
      expect(candidateLog.filter((l) => l.segmentId === ids['anniversary']).length).toBeGreaterThan(0);
    } finally {
      candidateLog = undefined;
    }
    await counts();
  });
});
