/**
 * An import survives a crash of its worker: the contacts process (which runs
 * the BullMQ worker) is killed with SIGKILL halfway through a 200 000-row
 * import and restarted. The job resumes from its last committed batch and
 * completes with exact counts: every row imported once, one contact per
 * row, and one `contact.created` event per contact (a redelivery of the
 * same event after the crash carries the same event id).
 */
import { Client } from 'pg';
import { createTenant, EventSpy, eventually, TestStack, type ApiClient, type TestTenant } from '@sigil/testing';

const ROWS = 200_000;

describe('imports: kill -9 of the worker mid-import', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let api: ApiClient;
  let spy: EventSpy;
  let db: Client;

  beforeAll(async () => {
    stack = await TestStack.start({ serviceEnv: { contacts: { IMPORT_JOB_LOCK_MS: '5000', IMPORT_SWEEP_INTERVAL_MS: '5000' } } });
    tenant = await createTenant(stack.gatewayUrl);
    api = tenant.api;
    spy = await EventSpy.start();
    db = new Client({ connectionString: stack.databaseUrl('contacts') });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await spy?.stop();
    await stack?.close();
  });

  it('resumes after the crash: exact counts, no row twice, no duplicate event', async () => {
    const run = Date.now().toString(36);
    const lines = Array.from({ length: ROWS }, (_, i) => `crash.${run}.${i}@example.com,Row ${i}`);
    const res = await api.upload('/v1/imports', { format: 'csv', mapping: { email: 'email', name: 'first_name' } }, `email,name\n${lines.join('\n')}\n`);
    expect(res.status).toBe(202);
    const id: string = res.body.data.id;
    expect(res.body.data.rows_total).toBe(ROWS);

    // Read from the database: the API is down with the contacts process.
    const progress = async (): Promise<{ status: string; rows_processed: number }> =>
      (await db.query(`SELECT status, rows_processed FROM imports WHERE id = $1`, [id])).rows[0];
    await eventually(progress, (p) => p.rows_processed >= ROWS / 4, { timeoutMs: 240_000, stepMs: 100 });
    const contacts = stack.get('contacts');
    await contacts.kill();
    const atCrash = await progress();
    expect(atCrash.status).toBe('running');
    expect(atCrash.rows_processed).toBeLessThan(ROWS);
    await contacts.start();

    await eventually(progress, (p) => p.status !== 'running' && p.status !== 'queued', { timeoutMs: 480_000, stepMs: 500 });
    const done = (await api.get(`/v1/imports/${id}`)).body.data;
    expect(done).toMatchObject({ status: 'completed', rows_total: ROWS, rows_processed: ROWS, created: ROWS, updated: 0, failed: 0 });

    const { rows } = await db.query(`SELECT count(*)::int AS n, count(DISTINCT lower(email))::int AS emails FROM contacts WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(rows[0]).toEqual({ n: ROWS, emails: ROWS });

    const created = await eventually(
      () => spy.events.filter((e) => e.type === 'contact.created' && e.tenant_id === tenant.tenantId),
      (events) => new Set(events.map((e) => (e.data as { contact: { id: string } }).contact.id)).size >= ROWS,
      { timeoutMs: 240_000, stepMs: 500 },
    );
    const eventIdsByContact = new Map<string, Set<string>>();
    for (const e of created) {
      const contactId = (e.data as { contact: { id: string } }).contact.id;
      eventIdsByContact.set(contactId, (eventIdsByContact.get(contactId) ?? new Set()).add(e.id));
    }
    expect(eventIdsByContact.size).toBe(ROWS);
    expect([...eventIdsByContact.values()].filter((ids) => ids.size > 1)).toEqual([]);
  }, 900_000);
});
