/**
 * Generates contacts straight into the contacts database, fast enough for a
 * million (multi-row INSERTs of 5 000 rows over parallel connections, typed
 * custom field values included), for benchmarks and demos:
 *
 *   npm run build && npm run seed:contacts -- --count 1000000 --tenant ten_… [--mode live] [--database-url postgres://…]
 *
 * It bypasses the service on purpose: no outbox events are written, so
 * webhooks fire nothing and the segments read model learns of seeded contacts
 * only by rebuilding from the `contacts.snapshot` query (`npm run segments:rebuild`).
 * The database must be migrated (start the contacts service once, or `npm run migrate`).
 */
import { randomBytes } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { newId } from '@sigil/platform';

export interface SeedOptions {
  databaseUrl: string;
  tenantId: string;
  mode: 'live' | 'test';
  count: number;
  /** Rows per INSERT statement. */
  chunk?: number;
  connections?: number;
  onProgress?: (done: number) => void;
}

/** The custom fields seeded contacts carry (created if missing; values are written only where the types match). */
const SEED_FIELDS = [
  { key: 'ltv', label: 'Lifetime value', type: 'number', options: null },
  { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'starter', 'pro', 'team', 'enterprise'] },
  { key: 'signup_date', label: 'Signup date', type: 'date', options: null },
  { key: 'interests', label: 'Interests', type: 'multi_select', options: ['news', 'sport', 'music', 'tech', 'travel', 'food'] },
] as const;

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'Backus'];
const TAGS = ['vip', 'newsletter', 'customer', 'lead', 'churned', 'beta'];

export async function seedContacts(options: SeedOptions): Promise<{ inserted: number; seconds: number }> {
  const started = Date.now();
  const chunk = options.chunk ?? 5000;
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.connections ?? 4 });
  try {
    const fields = await ensureFields(pool, options);
    const run = randomBytes(3).toString('hex');
    const base = Date.now() - options.count;
    let next = 0;
    let done = 0;
    const worker = async () => {
      const client = await pool.connect();
      try {
        for (;;) {
          const from = next;
          if (from >= options.count) return;
          const to = Math.min(options.count, from + chunk);
          next = to;
          await insertChunk(client, options, fields, run, base, from, to);
          done += to - from;
          options.onProgress?.(done);
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: options.connections ?? 4 }, worker));
    // Fresh statistics and visibility map, so the planner picks the indexes and aggregates run index-only.
    await pool.query('VACUUM ANALYZE contacts');
    await pool.query('VACUUM ANALYZE custom_field_values');
    return { inserted: options.count, seconds: (Date.now() - started) / 1000 };
  } finally {
    await pool.end();
  }
}

async function ensureFields(pool: Pool, o: SeedOptions): Promise<Set<string>> {
  const now = new Date();
  for (const f of SEED_FIELDS) {
    await pool.query(
      `INSERT INTO custom_fields (tenant_id, mode, key, label, type, options, required, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, false, $7, $7) ON CONFLICT DO NOTHING`,
      [o.tenantId, o.mode, f.key, f.label, f.type, f.options, now],
    );
  }
  const { rows } = await pool.query<{ key: string; type: string; options: string[] | null }>(
    `SELECT key, type, options FROM custom_fields WHERE tenant_id = $1 AND mode = $2`,
    [o.tenantId, o.mode],
  );
  // Only fields whose existing definition accepts the generated values.
  return new Set(
    SEED_FIELDS.filter((f) => {
      const row = rows.find((r) => r.key === f.key);
      return row && row.type === f.type && (!f.options || f.options.every((opt) => row.options?.includes(opt)));
    }).map((f) => f.key),
  );
}

async function insertChunk(client: PoolClient, o: SeedOptions, fields: Set<string>, run: string, base: number, from: number, to: number): Promise<void> {
  const c = { id: [] as string[], email: [] as string[], first: [] as string[], last: [] as string[], tags: [] as string[], cf: [] as string[], at: [] as string[] };
  const v = { key: [] as string[], contact: [] as string[], text: [] as (string | null)[], num: [] as (number | null)[], date: [] as (string | null)[] };
  const value = (key: string, contact: string, text: string | null, num: number | null, date: string | null) => {
    v.key.push(key);
    v.contact.push(contact);
    v.text.push(text);
    v.num.push(num);
    v.date.push(date);
  };
  for (let i = from; i < to; i++) {
    const at = base + i;
    const id = newId('con', at);
    const custom: Record<string, unknown> = {};
    if (fields.has('ltv') && i % 4 !== 0) {
      custom['ltv'] = Math.round(((i * 7919) % 100000) / 10) / 10;
      value('ltv', id, null, custom['ltv'] as number, null);
    }
    if (fields.has('plan')) {
      custom['plan'] = SEED_FIELDS[1].options[(i * 31) % 5];
      value('plan', id, custom['plan'] as string, null, null);
    }
    if (fields.has('signup_date') && i % 3 !== 0) {
      const day = new Date(Date.UTC(2020, 0, 1) + ((i * 104729) % 2000) * 86400000).toISOString().slice(0, 10);
      custom['signup_date'] = day;
      value('signup_date', id, null, null, `${day}T00:00:00.000Z`);
    }
    if (fields.has('interests') && i % 2 === 0) {
      const opts = SEED_FIELDS[3].options;
      const picked = [...new Set([opts[i % 6]!, opts[(i * 13) % 6]!])];
      custom['interests'] = picked;
      value('interests', id, null, picked.length, null); // the per-contact marker row (see custom-field-values.ts)
      for (const p of picked) value('interests', id, p, null, null);
    }
    c.id.push(id);
    c.email.push(`seed.${run}.${i}@example.com`);
    c.first.push(FIRST[i % FIRST.length]!);
    c.last.push(LAST[(i * 7) % LAST.length]!);
    c.tags.push(`{${[TAGS[i % TAGS.length], ...(i % 10 === 0 ? ['vip'] : [])].filter((t, k, a) => a.indexOf(t) === k).join(',')}}`);
    c.cf.push(JSON.stringify(custom));
    c.at.push(new Date(at).toISOString());
  }
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO contacts (id, tenant_id, mode, email, first_name, last_name, tags, custom_fields, version, created_at, updated_at)
       SELECT id, $1, $2, email, first, last, tags::text[], cf, 1, at, at
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::timestamptz[]) AS r(id, email, first, last, tags, cf, at)`,
      [o.tenantId, o.mode, c.id, c.email, c.first, c.last, c.tags, c.cf, c.at],
    );
    if (v.key.length) {
      await client.query(
        `INSERT INTO custom_field_values (tenant_id, mode, field_key, contact_id, value_text, value_num, value_date)
         SELECT $1, $2, k, cid, t, n, d FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::timestamptz[]) AS r(k, cid, t, n, d)`,
        [o.tenantId, o.mode, v.key, v.contact, v.text, v.num, v.date],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

function parseArgs(argv: string[]): SeedOptions {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name?.startsWith('--') || value === undefined) throw new Error(`unexpected argument ${name ?? ''}`);
    args.set(name.slice(2), value);
  }
  const count = Number(args.get('count') ?? '100000');
  const tenantId = args.get('tenant');
  const mode = args.get('mode') ?? 'live';
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive integer');
  if (!tenantId) throw new Error('--tenant <tenant id> is required');
  if (mode !== 'live' && mode !== 'test') throw new Error('--mode must be live or test');
  const databaseUrl =
    args.get('database-url') ?? process.env['CONTACTS_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://sigil:sigil@127.0.0.1:5432/sigil_contacts';
  return { databaseUrl, tenantId, mode, count };
}

if (require.main === module) {
  let options: SeedOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(
      `seed:contacts: ${(err as Error).message}\nusage: npm run seed:contacts -- --count N --tenant <id> [--mode live|test] [--database-url postgres://…]\n`,
    );
    process.exit(2);
  }
  let last = 0;
  seedContacts({
    ...options,
    onProgress: (done) => {
      if (done - last >= 100000 || done === options.count) {
        last = done;
        process.stdout.write(`${done} / ${options.count}\n`);
      }
    },
  })
    .then(({ inserted, seconds }) =>
      process.stdout.write(`seeded ${inserted} contacts for ${options.tenantId} (${options.mode}) in ${seconds.toFixed(1)} s (${Math.round(inserted / seconds)}/s)\n`),
    )
    .catch((err: unknown) => {
      process.stderr.write(`seed:contacts failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
