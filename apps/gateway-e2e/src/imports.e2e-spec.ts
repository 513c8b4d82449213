/**
 * Import jobs through the gateway (SPEC §12), every service its own process
 * on real PostgreSQL, Redis and Kafka: good, mixed and hostile files (BOM,
 * CRLF, quoted line breaks, 10 000 columns, invalid UTF-8, binary files, a
 * 201 MB upload), NDJSON, the error report, create/update modes, cancel,
 * options errors, scopes and tenant isolation.
 */
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { Client } from 'pg';
import { IMPORT_QUEUE, IMPORT_QUEUE_PREFIX } from '@sigil/contracts';
import { createTenant, EventSpy, eventually, REDIS_URL, TestStack, type ApiClient, type TestTenant } from '@sigil/testing';

const OPTIONS = { format: 'csv', mapping: { Email: 'email', First: 'first_name', Tags: 'tags', LTV: 'custom_fields.ltv' } };

describe('imports API', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let api: ApiClient;
  let spy: EventSpy;
  let db: Client;

  beforeAll(async () => {
    stack = await TestStack.start();
    tenant = await createTenant(stack.gatewayUrl);
    api = tenant.api;
    spy = await EventSpy.start();
    db = new Client({ connectionString: stack.databaseUrl('contacts') });
    await db.connect();
    expect((await api.post('/v1/custom-fields', { key: 'ltv', label: 'LTV', type: 'number' })).status).toBe(201);
  });

  afterAll(async () => {
    await db?.end();
    await spy?.stop();
    await stack?.close();
  });

  async function finished(id: string, client = api) {
    return eventually(
      async () => {
        const res = await client.get(`/v1/imports/${id}`);
        expect(res.status).toBe(200);
        return ['completed', 'failed', 'cancelled'].includes(res.body.data.status) ? res.body.data : undefined;
      },
      undefined,
      60000,
    );
  }

  async function errorsCsv(id: string) {
    const res = await api.get(`/v1/imports/${id}/errors`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    return String(res.body ?? '');
  }

  it('imports a CSV with a BOM, CRLF line ends and a quoted line break; rows_total counts data rows', async () => {
    const email = `bom.${Date.now()}@example.com`;
    const csv = `\uFEFFEmail,First,Tags,LTV,Ignored\r\n${email},"Ada\nLovelace",vip;beta,12.5,x\r\nsecond.${email},Grace,,7,y\r\n`;
    const res = await api.upload('/v1/imports', OPTIONS, csv);
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ status: 'queued', rows_total: 2, format: 'csv', mode: 'upsert', match_on: 'email' });
    expect(res.body.data.id).toMatch(/^imp_/);
    const done = await finished(res.body.data.id);
    expect(done).toMatchObject({ status: 'completed', rows_total: 2, rows_processed: 2, created: 2, updated: 0, failed: 0 });
    const list = await api.get(`/v1/contacts?q=${encodeURIComponent(email)}`);
    const ada = list.body.data.find((c: { email: string }) => c.email === email);
    expect(ada).toMatchObject({ first_name: 'Ada Lovelace', tags: ['vip', 'beta'], custom_fields: { ltv: 12.5 } });
    await spy.waitFor((e) => e.type === 'contact.created' && (e.data as { contact: { email: string } }).contact.email === email);
    expect(await errorsCsv(res.body.data.id)).toBe('row,code,reason,data\r\n');
    // Staging is gone once the job is done.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM import_chunks WHERE import_id = $1`, [res.body.data.id]);
    expect(rows[0].n).toBe(0);
  });

  it('reports bad rows one by one and imports the rest: malformed, wrong type, invalid email, duplicate, invalid UTF-8', async () => {
    const tag = `mixed${Date.now()}`;
    const lines = [
      'Email,First,Tags,LTV',
      `ok1.${tag}@example.com,A,,1`,
      `ok2.${tag}@example.com,B,,`,
      `bad-email,C,,2`,
      `ok3.${tag}@example.com,D,,not-a-number`,
      `ok1.${tag}@example.com,Again,,3`,
      `too,many,columns,here,oops`,
      `"unterminated.${tag}@example.com,E,,4`,
    ];
    const head = Buffer.from(`${lines.slice(0, 7).join('\n')}\n`);
    const badUtf8 = Buffer.concat([Buffer.from(`utf8.${tag}@example.com,`), Buffer.from([0xc3, 0x28]), Buffer.from(',,5\n')]);
    const tail = Buffer.from(`ok4.${tag}@example.com,F,,6\n${lines[7]}\n`);
    const res = await api.upload('/v1/imports', OPTIONS, Buffer.concat([head, badUtf8, tail]));
    expect(res.status).toBe(202);
    const done = await finished(res.body.data.id);
    // The unterminated quote swallows the rest of the file into one malformed row.
    expect(done).toMatchObject({ status: 'completed', rows_total: 9, rows_processed: 9, created: 3, updated: 0, failed: 6 });
    const report = await errorsCsv(res.body.data.id);
    const rows = report.trim().split('\r\n').slice(1);
    expect(rows.map((r) => r.split(',')[0] + ':' + r.split(',')[1])).toEqual([
      '3:validation_failed',
      '4:validation_failed',
      '5:duplicate_row',
      '6:malformed_row',
      '7:invalid_utf8',
      '9:malformed_row',
    ]);
    expect(report).toContain('custom_fields.ltv');
    expect(report).toContain('expected 4 columns, found 5');
  });

  it('imports NDJSON, with per-line errors for lines that are not JSON objects', async () => {
    const tag = `nd${Date.now()}`;
    const ndjson = [
      JSON.stringify({ mail: `a.${tag}@example.com`, name: 'A', ltv: 3, tags: ['x'] }),
      '',
      '{not json',
      '[1,2]',
      JSON.stringify({ mail: `b.${tag}@example.com`, ltv: '4.5' }),
    ].join('\n');
    const options = { format: 'ndjson', mapping: { mail: 'email', name: 'first_name', ltv: 'custom_fields.ltv', tags: 'tags' } };
    const res = await api.upload('/v1/imports', options, ndjson, 'contacts.ndjson');
    expect(res.status).toBe(202);
    expect(res.body.data.rows_total).toBe(4);
    const done = await finished(res.body.data.id);
    expect(done).toMatchObject({ status: 'completed', created: 2, failed: 2 });
    const b = await api.get(`/v1/contacts?q=b.${tag}`);
    expect(b.body.data[0].custom_fields).toEqual({ ltv: 4.5 });
  });

  it('reads a header of 10 000 columns and maps the ones asked for', async () => {
    const columns = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    columns[9_998] = 'Email';
    const email = `wide.${Date.now()}@example.com`;
    const row = columns.map((c) => (c === 'Email' ? email : 'v'));
    const res = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email', c5: 'first_name' } }, `${columns.join(',')}\n${row.join(',')}\n`);
    expect(res.status).toBe(202);
    expect(await finished(res.body.data.id)).toMatchObject({ status: 'completed', created: 1 });
    const wider = `${[...columns, 'one-too-many'].join(',')}\n`;
    const refused = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' } }, wider);
    expect(refused.status).toBe(400);
  });

  it('applies create and update modes and the tags option', async () => {
    const email = `modes.${Date.now()}@example.com`;
    const csv = `Email,First\n${email},One\n`;
    const created = await finished(
      (await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email', First: 'first_name' }, mode: 'create' }, csv)).body.data.id,
    );
    expect(created).toMatchObject({ created: 1, failed: 0 });
    const again = await finished(
      (await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email', First: 'first_name' }, mode: 'create' }, csv)).body.data.id,
    );
    expect(again).toMatchObject({ created: 0, failed: 1 });
    const missing = `Email,First\nnobody.${email},Two\n${email},Two\n`;
    const updated = await finished(
      (await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email', First: 'first_name' }, mode: 'update', tags: ['imported'] }, missing)).body.data.id,
    );
    expect(updated).toMatchObject({ created: 0, updated: 1, failed: 1 });
    const contact = (await api.get(`/v1/contacts?q=${encodeURIComponent(email)}`)).body.data[0];
    expect(contact).toMatchObject({ first_name: 'Two', tags: ['imported'] });
  });

  it('matches on external_id', async () => {
    const run = Date.now().toString(36);
    const created = (await api.post('/v1/contacts', { email: `ext.${run}@example.com`, external_id: `crm-${run}` })).body.data;
    const csv = `id,mail,name\ncrm-${run},ext.${run}@example.com,Renamed\nnew-${run},new.${run}@example.com,New\nnew-${run},other.${run}@example.com,Dup\n`;
    const options = { format: 'csv', mapping: { id: 'external_id', mail: 'email', name: 'first_name' }, match_on: 'external_id' };
    const done = await finished((await api.upload('/v1/imports', options, csv)).body.data.id);
    expect(done).toMatchObject({ status: 'completed', created: 1, updated: 1, failed: 1 });
    expect((await api.get(`/v1/contacts/${created.id}`)).body.data.first_name).toBe('Renamed');
    const missing = await api.upload('/v1/imports', { ...options, mapping: { mail: 'email' } }, csv);
    expect(missing.status).toBe(400);
  });

  it('adds every created or updated contact to the list_id given (with list.member_added), and refuses an unknown list naming list_id', async () => {
    const run = Date.now().toString(36);
    const list = (await api.post('/v1/lists', { name: `import ${run}` })).body.data;
    const existing = (await api.post('/v1/contacts', { email: `member.${run}@example.com` })).body.data;
    const already = (await api.post('/v1/contacts', { email: `already.${run}@example.com` })).body.data;
    // A member before the import (once the segments service knows the contact).
    await eventually(
      async () => (await api.post(`/v1/lists/${list.id}/members`, { contact_ids: [already.id] })).body.data?.results?.[0]?.status,
      (status) => status === 'added' || status === 'already_member',
    );
    const csv = `Email,First\nmember.${run}@example.com,Updated\nnew.${run}@example.com,New\nalready.${run}@example.com,\nnot-an-email,X\n`;
    const res = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email', First: 'first_name' }, list_id: list.id }, csv);
    expect(res.status).toBe(202);
    expect(res.body.data.list_id).toBe(list.id);
    expect(await finished(res.body.data.id)).toMatchObject({ status: 'completed', created: 1, updated: 2, failed: 1 });
    const created = (await api.get(`/v1/contacts?q=${encodeURIComponent(`new.${run}@example.com`)}`)).body.data[0];
    const expected = [existing.id, already.id, created.id].sort();
    const members = await eventually(
      async () => (await api.get(`/v1/lists/${list.id}/members?limit=100`)).body.data.map((m: { id: string }) => m.id).sort() as string[],
      (ids) => ids.length >= expected.length,
      30000,
    );
    expect(members).toEqual(expected);
    // One contact.imported per imported row; list.member_added once per new member (the earlier member gets none from the import).
    const imported = await eventually(
      () => spy.matching((e) => e.type === 'contact.imported' && (e.data as { import_id: string }).import_id === res.body.data.id),
      (events) => events.length >= 3,
    );
    expect(imported.map((e) => (e.data as { contact_id: string }).contact_id).sort()).toEqual(expected);
    const added = await eventually(
      () => spy.matching((e) => e.type === 'list.member_added' && (e.data as { list_id: string }).list_id === list.id),
      (events) => events.length >= 3,
    );
    expect(added.map((e) => (e.data as { contact_id: string }).contact_id).sort()).toEqual(expected);

    const unknown = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' }, list_id: 'lst_01JD2QH7J8K9M0N1P2Q3R4S5T6' }, csv);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'list_id', code: 'not_found' })]);
  });

  it('refuses files that are not CSV/NDJSON at once, and invalid options naming the field', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const cases: Array<[unknown, Buffer | string, string]> = [
      [OPTIONS, png, 'file'],
      [OPTIONS, Buffer.from('PK\x03\x04 workbook', 'latin1'), 'file'],
      [OPTIONS, '', 'file'],
      [OPTIONS, Buffer.concat([Buffer.from('Email,'), Buffer.from([0xff, 0xfe, 0x00, 0x41]), Buffer.from('\n')]), 'file'],
      [{ ...OPTIONS, format: 'ndjson' }, 'Email,First\n', 'file'],
      [{ ...OPTIONS, format: 'xlsx' }, 'Email\n', 'format'],
      [{ ...OPTIONS, mode: 'merge' }, 'Email\n', 'mode'],
      [{ format: 'csv', mapping: { First: 'first_name' } }, 'First\n', 'mapping'],
      [{ format: 'csv', mapping: { Email: 'email', X: 'nickname' } }, 'Email,X\n', 'mapping.X'],
      [{ format: 'csv', mapping: { Email: 'email', X: 'custom_fields.nope' } }, 'Email,X\n', 'mapping.X'],
      [{ format: 'csv', mapping: { Email: 'email', Missing: 'first_name' } }, 'Email\nx@example.com\n', 'mapping.Missing'],
      [{ ...OPTIONS, colour: 'red' }, 'Email\n', 'colour'],
    ];
    for (const [options, file, field] of cases) {
      const res = await api.upload('/v1/imports', options, file);
      expect([field, res.status, res.body.error?.code]).toEqual([field, 400, 'validation_failed']);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await api.upload('/v1/imports', '{not json', 'Email\n')).body.error.code).toBe('invalid_json');
    // Nothing was kept of any refused upload.
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM import_chunks)::int AS chunks, (SELECT count(*) FROM imports WHERE status = 'uploading')::int AS uploading`,
    );
    expect(rows[0]).toEqual({ chunks: 0, uploading: 0 });
  });

  it('refuses a file part before the options part, and a JSON body', async () => {
    const form = new FormData();
    form.append('file', new Blob(['Email\n']), 'a.csv');
    form.append('options', JSON.stringify(OPTIONS));
    const res = await fetch(`${stack.gatewayUrl}/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}` }, body: form });
    expect(res.status).toBe(400);
    expect((await api.post('/v1/imports', OPTIONS)).status).toBe(415);
    // Other routes still refuse multipart bodies.
    const other = new FormData();
    other.append('email', 'x@example.com');
    const contacts = await fetch(`${stack.gatewayUrl}/v1/contacts`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}` }, body: other });
    expect(contacts.status).toBe(415);
  });

  it('takes the options as an application/json part (as the Python SDK sends them), and refuses one that does not parse, naming options', async () => {
    const typed = async (options: string, withFile = true) => {
      // A field part (no filename) with its own Content-Type: FormData cannot write one, so the body is written out.
      const b = 'sigil-boundary';
      const body = [
        `--${b}\r\nContent-Disposition: form-data; name="options"\r\nContent-Type: application/json\r\n\r\n${options}\r\n`,
        withFile
          ? `--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nEmail\nx.${Date.now()}@example.com\n\r\n`
          : '',
        `--${b}--\r\n`,
      ].join('');
      const res = await fetch(`${stack.gatewayUrl}/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': `multipart/form-data; boundary=${b}` },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const accepted = await typed(JSON.stringify({ format: 'csv', mapping: { Email: 'email' } }));
    expect(accepted).toMatchObject({ status: 202, body: { data: { status: 'queued' } } });
    await finished((accepted.body as { data: { id: string } }).data.id);
    // A broken one is refused by @fastify/multipart before the part is handed over: a 400 naming `options`.
    const broken = await typed('{not json');
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body)).toContain('"field":"options"');
    // Alone (no file part after it), the plugin reports the broken part when the body ends: FST_INVALID_JSON_FIELD_ERROR,
    // mapped by the controller to invalid_json (not a malformed-body error naming `file`).
    const alone = await typed('{not json', false);
    expect(alone.status).toBe(400);
    expect((alone.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_json', message: expect.stringContaining('options') });
  });

  it('answers 413 payload_too_large for a 201 MB file and keeps nothing', async () => {
    const header = Buffer.from('Email\n');
    const body = Buffer.alloc(201 * 1024 * 1024 - header.length, 'a@example.com\n');
    const res = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' } }, Buffer.concat([header, body]));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM import_chunks)::int AS chunks, (SELECT count(*) FROM imports WHERE status = 'uploading')::int AS uploading`,
    );
    expect(rows[0]).toEqual({ chunks: 0, uploading: 0 });
  }, 120000);

  it('cancels a job: the status sticks and cancelling twice is harmless', async () => {
    // The cancel must land while the job runs, whatever the machine's load: a contact of the file, at BLOCKED_ROW, is
    // row-locked here, so the batch holding that row waits (the cancel takes no lock the batch needs) until the
    // cancel has answered; no row from BLOCKED_ROW on can be committed before it. Racing a 20 000-row job against the
    // cancel's round trip instead let the job finish first on a busy machine (409), or its last batch commit (20 000).
    const BLOCKED_ROW = 2000;
    const run = Date.now();
    const emails = Array.from({ length: 20_000 }, (_, i) => `cancel.${i}.${run}@example.com`);
    const existing = (await api.post('/v1/contacts', { email: emails[BLOCKED_ROW] })).body.data;
    const blocker = new Client({ connectionString: stack.databaseUrl('contacts') });
    await blocker.connect();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(IMPORT_QUEUE, { connection: redis, prefix: IMPORT_QUEUE_PREFIX });
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE', [existing.id]);
      const res = await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' } }, `Email\n${emails.join('\n')}\n`);
      expect(res.status).toBe(202);
      const id: string = res.body.data.id;
      const blockerPid = (await blocker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const waitingOnBlocker = async () =>
        (await db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [blockerPid])).rows[0].n as number;
      await eventually(waitingOnBlocker, (n) => n > 0);
      const cancelled = await api.post(`/v1/imports/${id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.data.status).toBe('cancelled');
      expect(cancelled.body.data.rows_processed).toBeLessThanOrEqual(BLOCKED_ROW);
      expect((await api.post(`/v1/imports/${id}/cancel`)).body.data.status).toBe('cancelled');
      await blocker.query('COMMIT');
      // Nothing after the cancel: once the worker is done with the job, the counts are the cancel's and match what
      // was written (the blocked batch rolled back, the contact at BLOCKED_ROW untouched).
      const job = await eventually(
        () => queue.getJob(id),
        (j) => !!j?.finishedOn,
      );
      expect(job?.returnvalue).toBe('cancelled');
      const { rows_processed, created, updated, failed } = cancelled.body.data;
      expect(await finished(id)).toMatchObject({ status: 'cancelled', rows_processed, created, updated, failed });
      const written = await db.query(`SELECT count(*)::int AS n FROM contacts WHERE email LIKE $1`, [`cancel.%.${run}@example.com`]);
      expect(written.rows[0].n).toBe(created + 1);
      expect((await api.get(`/v1/contacts/${existing.id}`)).body.data).toEqual(existing);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
      await queue.close();
      redis.disconnect(); // a connection given to BullMQ is not closed by it
    }
    const completedJob = (await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' } }, `Email\nc.${Date.now()}@example.com\n`)).body.data;
    await finished(completedJob.id);
    expect((await api.post(`/v1/imports/${completedJob.id}/cancel`)).status).toBe(409);
  });

  it('keeps jobs to their tenant and mode, and needs contacts:write', async () => {
    const job = (await api.upload('/v1/imports', { format: 'csv', mapping: { Email: 'email' } }, `Email\niso.${Date.now()}@example.com\n`)).body.data;
    const other = await createTenant(stack.gatewayUrl);
    const testMode = await tenant.client({ mode: 'test' });
    for (const client of [other.api, testMode]) {
      expect((await client.get(`/v1/imports/${job.id}`)).status).toBe(404);
      expect((await client.get(`/v1/imports/${job.id}/errors`)).status).toBe(404);
      expect((await client.post(`/v1/imports/${job.id}/cancel`)).status).toBe(404);
    }
    expect((await api.get('/v1/imports/imp_00000000000000000000000000')).status).toBe(404);
    const readOnly = await tenant.client({ scopes: ['contacts:read'] });
    expect((await readOnly.upload('/v1/imports', OPTIONS, 'Email\n')).status).toBe(403);
    expect((await readOnly.get(`/v1/imports/${job.id}`)).status).toBe(403);
    const anonymous = await fetch(`${stack.gatewayUrl}/v1/imports`, { method: 'POST', body: new FormData() });
    expect(anonymous.status).toBe(401);
  });
});
