/**
 * Runs one import job: reads the staged file from its saved byte position,
 * turns records into contact requests, and writes them in batches. Each
 * batch is one transaction holding everything it changes — contacts, their
 * events in the outbox, the error rows, the match keys, and the job's new
 * position — so a worker killed at any instant resumes exactly after the
 * last committed batch: no row imported twice, none lost, no event twice.
 * The position update comes last and is conditional on the position this
 * run read (an UPDATE re-checks its WHERE once a concurrent writer of the
 * row commits), so two workers on one job (a stalled lock taken over while
 * the first still runs) cannot both commit the same batch, and a job
 * cancelled meanwhile rolls the batch in flight back. Up to
 * IMPORT_PIPELINE_DEPTH batch transactions run at once, still committing in
 * file order with the results of one after another (commitBatch). The keys
 * the file has taken (its duplicate rows) are held in memory (KeyLedger),
 * rebuilt from the staged file when a run resumes mid-file (replayKeys) —
 * or, for a file with more keys than MEMORY_LEDGER_MAX_KEYS, in the
 * `import_keys` table, claimed by each batch's transaction.
 */
import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  BATCH_MATCH_KEYS,
  type BatchMatchKey,
  type BatchRowResult,
  type ContactSnapshot,
  type CreateContact,
  type ImportRowError,
  type RequestContext,
} from '@sigil/contracts';
import { OutboxWriter, RecordReader, type FileRecord, type NewEvent } from '@sigil/platform';
import { CONTACTS_CONFIG, type ContactsConfig } from '../config';
import { ContactsBatchService, keyOf, type ValidRow } from '../contacts/contacts-batch.service';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { keyHash, KeyLedger, MEMORY_LEDGER_MAX_KEYS, memoryLedgerFor, type KeyHash } from './import-key-ledger';
import { describe, planRows, rowRequest, type RowPlan, type RowProblem } from './import-rows';
import { ImportsRepository, type ImportRow } from './imports.repository';

interface PreparedBatch {
  /** Each row's raw bytes, for the error report: the records themselves (their fields) are dropped once read. */
  raws: Buffer[];
  /** Rows of the file before this batch. */
  firstRow: number;
  errors: ImportRowError[];
  errorAt: (i: number, code: string, reason: string) => void;
  valid: ValidRow[];
}

/** The job stopped being ours (cancelled, or another worker moved it on): stop without error. */
class Superseded extends Error {}

const utf8Lossy = new TextDecoder('utf-8');

/** Bytes of the staged file handed to the record reader at a time (about one batch of short rows). */
const FEED_BYTES = 64 * 1024;

/** Rows prepared between two turns of the event loop (a few milliseconds of work). */
const PREPARE_SLICE_ROWS = 250;

/** Longest lock wait of a pipelined batch's statement (see commitBatch). */
const PIPELINE_LOCK_TIMEOUT = '30s';

/** Lets the event loop run what I/O has completed (setImmediate runs after the poll phase). */
function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type RunOutcome = 'completed' | 'failed' | 'cancelled' | 'superseded' | 'missing';

@Injectable()
export class ImportRunner {
  private readonly logger = new Logger('ImportRunner');
  /** MEMORY_LEDGER_MAX_KEYS; lowered by tests to run the key table's path on small files. */
  memoryLedgerMaxKeys = MEMORY_LEDGER_MAX_KEYS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly imports: ImportsRepository,
    private readonly batch: ContactsBatchService,
    private readonly definitions: CustomFieldDefinitions,
    private readonly outbox: OutboxWriter,
    @Inject(CONTACTS_CONFIG) private readonly config: Pick<ContactsConfig, 'IMPORT_BATCH_ROWS' | 'IMPORT_PIPELINE_DEPTH'>,
  ) {}

  async run(importId: string): Promise<RunOutcome> {
    const m = this.dataSource.manager;
    let job = await this.imports.load(m, importId);
    if (!job || job.status === 'uploading') return 'missing';
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return job.status;
    await this.imports.transition(m, importId, ['queued'], 'running');
    job = (await this.imports.load(m, importId))!;
    if (job.status !== 'running') return job.status === 'cancelled' ? 'cancelled' : 'superseded';

    const ctx: RequestContext = { tenant_id: job.tenant_id, mode: job.mode, request_id: `import:${importId}` };
    const plan = planRows(job.options, job.header, await this.definitions.load(m, { tenantId: job.tenant_id, mode: job.mode }));
    try {
      await this.readFrom(job, ctx, plan);
    } catch (err) {
      if (err instanceof Superseded) {
        const now = await this.imports.load(m, importId);
        return now?.status === 'cancelled' ? 'cancelled' : 'superseded';
      }
      throw err;
    }
    const done = await this.dataSource.transaction(async (tx) => {
      const finished = await this.imports.transition(tx, importId, ['running'], 'completed');
      if (finished) await this.imports.dropStaging(tx, importId);
      return finished;
    });
    return done ? 'completed' : 'superseded';
  }

  /** Marks a job failed for a reason that is not a row's (the staged file is damaged, retries ran out). */
  async fail(importId: string, reason: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      if (await this.imports.transition(m, importId, ['queued', 'running'], 'failed', reason)) await this.imports.dropStaging(m, importId);
    });
  }

  private async readFrom(job: ImportRow, ctx: RequestContext, plan: RowPlan): Promise<void> {
    let offset = Number(job.next_offset);
    let rowNo = job.rows_processed;
    const total = Number(job.bytes);
    const depth = this.config.IMPORT_PIPELINE_DEPTH;
    const reader = new RecordReader({ format: job.options.format, startOffset: offset });
    const ledger = memoryLedgerFor(job, this.memoryLedgerMaxKeys);
    if (ledger && rowNo > 0 && offset < total) await this.replayKeys(job, plan, offset, rowNo, ledger);
    let pending: FileRecord[] = [];
    // Up to `depth` batch transactions run at once, in file order (see commitBatch for how they stay ordered and
    // exact); the next batch is read and validated meanwhile. The oldest is waited for before another starts.
    const inFlight: BatchGate[] = [];
    let last: BatchGate | undefined;
    // Not async: nothing of the records outlives their preparation (an async frame would keep them across its wait).
    const flush = (records: FileRecord[]): Promise<void> => {
      if (!records.length) return Promise.resolve();
      const fromOffset = offset;
      const nextOffset = records[records.length - 1]!.end;
      const firstRow = rowNo;
      rowNo += records.length;
      offset = nextOffset;
      return this.prepareBatch(job, plan, ledger, records, firstRow).then(async (prepared) => {
        // A failed batch stops the run here: its error (not a successor's Superseded) is the run's.
        while (inFlight.length >= depth) await inFlight.shift()!.done;
        const gate = batchGate();
        const previous = last;
        last = gate;
        inFlight.push(gate);
        void this.commitBatch(job, ctx, prepared, fromOffset, nextOffset, previous, gate, !ledger).then(gate.settle, gate.fail);
      });
    };

    try {
      await this.readChunks(job, offset, total, reader, async (records) => {
        for (const record of records) {
          pending.push(record);
          if (pending.length < this.config.IMPORT_BATCH_ROWS) continue;
          const batch = pending;
          pending = [];
          await flush(batch);
        }
      });
      pending.push(...reader.end());
      await flush(pending);
      while (inFlight.length) await inFlight.shift()!.done;
    } finally {
      // Never leave a batch's transaction running behind a run that stopped (its outcome is the run's error, or the database's).
      for (const gate of inFlight) await gate.done.catch(() => undefined);
    }
  }

  /**
   * Rebuilds the ledger of a run resuming at byte `upTo`: the rows before it are read again and each key
   * taken by the row that took it in the runs before (the same checks, in the same file order; whether a row
   * is well-formed depends on its bytes and the mapping, not on the batches or the database). The count of
   * rows must be the job's, or the staged file is not what was imported.
   */
  private async replayKeys(job: ImportRow, plan: RowPlan, upTo: number, rows: number, ledger: KeyLedger): Promise<void> {
    const reader = new RecordReader({ format: job.options.format });
    let header = job.options.format === 'csv';
    let row = 0;
    await this.readChunks(job, 0, upTo, reader, async (records) => {
      for (const record of records) {
        if (header) {
          header = false;
          continue;
        }
        if (record.end > upTo) return;
        checkRow(plan, job.options.match_on, ledger, record, ++row);
        if (row % PREPARE_SLICE_ROWS === 0) await yieldToIo();
      }
    });
    if (row !== rows) throw new Error(`import ${job.id}: the staged file has ${row} rows before byte ${upTo}, the job counted ${rows}`);
    this.logger.log(`import ${job.id}: resuming at row ${rows + 1}, ${ledger.size} keys of the rows before it rebuilt`);
  }

  /** Feeds the staged file from byte `offset` to `onRecords`, chunk by chunk. */
  private async readChunks(job: ImportRow, offset: number, total: number, reader: RecordReader, onRecords: (records: FileRecord[]) => Promise<void>): Promise<void> {
    const m = this.dataSource.manager;
    let chunk = offset < total ? await this.imports.chunkAt(m, job.id, offset) : undefined;
    let consumed = offset;
    if (offset < total && !chunk) throw new Error(`import ${job.id}: no staged chunk holds byte ${offset}`);
    while (chunk) {
      const skip = consumed - Number(chunk.file_offset);
      const bytes = skip > 0 ? chunk.data.subarray(skip) : chunk.data;
      consumed += bytes.length;
      // A staged chunk (1 MiB) holds ~16 000 short rows: split at once, all its records lived until the last of
      // its ~8 batches was prepared (long enough for V8 to move them to its old space). Fed a slice at a time,
      // the reader makes records about as fast as batches take them.
      for (let at = 0; at < bytes.length; at += FEED_BYTES) await onRecords(reader.push(bytes.subarray(at, at + FEED_BYTES)));
      chunk = consumed < total ? await this.imports.chunk(m, job.id, chunk.seq + 1) : undefined;
      if (consumed < total && !chunk) {
        // Gone under us: the job was cancelled (its staging dropped) — or the staged file is damaged.
        const now = await this.imports.load(m, job.id);
        if (now?.status !== 'running') throw new Superseded();
        throw new Error(`import ${job.id}: staged file ends at byte ${consumed} of ${total}`);
      }
    }
  }

  /**
   * The rows of a batch checked on their own (no I/O): valid requests, and the errors found so far. It runs
   * while the previous batch's transaction does, and yields to the event loop every `PREPARE_SLICE_ROWS`
   * rows: in one piece (tens of milliseconds for 2 000 rows) it held up that transaction's next statement
   * whenever PostgreSQL answered meanwhile, so the two cores took turns instead of overlapping.
   */
  private async prepareBatch(job: ImportRow, plan: RowPlan, ledger: KeyLedger | undefined, records: FileRecord[], firstRow: number): Promise<PreparedBatch> {
    const errors: ImportRowError[] = [];
    const raws = records.map((r) => r.raw);
    const errorAt = (i: number, code: string, reason: string) => errors.push({ row: firstRow + i + 1, code, reason, data: rawText(raws[i]!) });

    // Shape, then duplicates of an earlier row of the file (of either unique key) — without a ledger in memory,
    // of an earlier row of the batch; duplicates of the match key in earlier batches are found by the key table.
    const matchOn = job.options.match_on;
    const valid: ValidRow[] = [];
    const rowLedger = ledger ?? new KeyLedger(records.length * BATCH_MATCH_KEYS.length);
    const check = (record: FileRecord, i: number) => {
      const r = checkRow(plan, matchOn, rowLedger, record, firstRow + i + 1);
      if ('req' in r) valid.push({ index: i, req: r.req });
      else errorAt(i, r.code, r.reason);
    };
    for (let i = 0; i < records.length; i++) {
      check(records[i]!, i);
      if ((i + 1) % PREPARE_SLICE_ROWS === 0 && i + 1 < records.length) await yieldToIo();
    }
    return { raws, firstRow, errors, errorAt, valid };
  }

  /**
   * One transaction: everything the batch changes, and the job's new position (see the file's header).
   *
   * With `previous` (the batch before this one, whose transaction may still run) the two overlap but stay
   * exactly as if run one after the other:
   * - the position: once the previous batch's conditional advance has returned, this one locks the job row
   *   (lockJob: it waits there until that transaction ends) and then advances from the position it expects —
   *   or, if that batch rolled back, finds the old one and rolls back too. Batches commit in file order, a
   *   batch commits only after all before it, and a kill -9 leaves a prefix of them.
   * - the rows: this batch reads contacts only after the previous one has read its own, and goes on at
   *   once only when none of its rows' emails and external_ids is a key the previous batch may change (its
   *   rows' keys and those of the contacts it matched). Then nothing the previous batch writes can change
   *   what this one reads, and neither waits for a lock the other holds except this batch for the previous
   *   one (the job row; with the key table, a key claimed by both): no deadlock. When keys meet, it waits for
   *   the previous transaction to end first.
   */
  private async commitBatch(
    job: ImportRow,
    ctx: RequestContext,
    batch: PreparedBatch,
    fromOffset: number,
    nextOffset: number,
    previous: BatchGate | undefined,
    gate: BatchGate,
    claimKeys: boolean,
  ): Promise<void> {
    const { raws, firstRow, errors, errorAt, valid } = batch;
    const matchOn = job.options.match_on;
    await this.dataSource.transaction(async (m: EntityManager) => {
      // In a pipeline a batch waits in Node for its predecessor while holding locks, which PostgreSQL cannot see: a
      // third transaction (an API write) waiting on this batch while the predecessor waits on it would be a cycle
      // no deadlock check breaks. A lock wait this long fails the batch instead; the job's retry resumes it.
      if (this.config.IMPORT_PIPELINE_DEPTH > 1) await m.query(`SET LOCAL lock_timeout = '${PIPELINE_LOCK_TIMEOUT}'`);
      // No lock on the job row until the final, conditional advance: a cancel is never kept waiting by a batch in flight.
      // The previous batch may not have committed yet: a position past ours means another worker moved on.
      const current = await this.imports.load(m, job.id);
      if (current?.status !== 'running' || Number(current.next_offset) > fromOffset) throw new Superseded();
      let fresh = valid;
      if (claimKeys) {
        // The key table: a key an earlier batch claimed makes the row a duplicate (claimed after the previous batch has read, as its reads).
        if (previous) await previous.touched;
        const hashOf = new Map(valid.map((v) => [v.index, tableKeyHash(keyOf(matchOn, v.req))]));
        const seen = await this.imports.claimKeys(m, job.id, [...hashOf.values()]);
        fresh = valid.filter((v) => {
          if (!seen.has(hashOf.get(v.index)!)) return true;
          errorAt(v.index, 'duplicate_row', `the ${matchOn} '${keyOf(matchOn, v.req)}' is already in an earlier row of the file`);
          return false;
        });
      }
      if (previous && meets(await previous.touched, fresh)) await previous.done;

      const results: BatchRowResult[] = raws.map((_, index) => ({ index, status: 'error' }));
      const afterReads = (matched: readonly ContactSnapshot[]) => gate.read(touchedKeys(fresh, matched));
      await this.batch.writeRows(m, ctx, fresh, results, { mode: job.options.mode, matchOn, addTags: job.options.tags, copy: true, afterReads });
      let created = 0;
      let updated = 0;
      const listed: NewEvent[] = [];
      for (const v of fresh) {
        const r = results[v.index]!;
        if (r.status === 'created') created++;
        else if (r.status === 'updated') updated++;
        else errorAt(v.index, r.error?.code ?? 'error', [r.error?.message, describe(r.error?.details ?? [])].filter(Boolean).join(' '));
        if (r.id && r.status !== 'error' && job.options.list_id) listed.push(importedEvent(ctx, r.id, job.id, job.options.list_id));
      }
      // After the batch's created/updated events (a later outbox insert, same keys): the segments service knows each contact before it adds it to the list.
      await this.outbox.append(m, listed);
      errors.sort((a, b) => a.row - b.row);
      await this.imports.insertErrors(m, job.id, errors);
      if (previous) {
        await previous.advanced;
        await this.imports.lockJob(m, job.id);
      }
      const moved = await this.imports.advance(m, job.id, fromOffset, { nextOffset, rows: raws.length, created, updated, failed: errors.length });
      gate.advance();
      if (!moved) throw new Superseded();
    });
    this.logger.debug(`import ${job.id}: rows ${firstRow + 1}–${firstRow + raws.length} written`);
  }
}

/**
 * What a batch in flight tells the next one: when it has read (and which keys it may change), when its
 * position update has returned, and when its transaction has ended. Each rejects with the batch's error
 * if it fails first.
 */
interface BatchGate {
  touched: Promise<ReadonlySet<string>>;
  advanced: Promise<void>;
  done: Promise<void>;
  read(keys: ReadonlySet<string>): void;
  advance(): void;
  settle(): void;
  fail(err: unknown): void;
}

function batchGate(): BatchGate {
  let read!: (keys: ReadonlySet<string>) => void;
  let advance!: () => void;
  let settle!: () => void;
  const rejects: ((err: unknown) => void)[] = [];
  const touched = new Promise<ReadonlySet<string>>((resolve, reject) => ((read = resolve), rejects.push(reject)));
  const advanced = new Promise<void>((resolve, reject) => ((advance = resolve), rejects.push(reject)));
  const done = new Promise<void>((resolve, reject) => ((settle = resolve), rejects.push(reject)));
  // Each is awaited by whoever needs it; a failure nobody waited for is no unhandled rejection.
  for (const p of [touched, advanced, done]) p.catch(() => undefined);
  return {
    touched,
    advanced,
    done,
    read,
    advance,
    settle: () => {
      // A transaction that ended without telling (no rows to read): nothing of it is left to wait for.
      read(new Set());
      advance();
      settle();
    },
    fail: (err) => rejects.forEach((reject) => reject(err)),
  };
}

/** The keys a batch may change: its rows' emails and external_ids, and the current ones of the contacts they matched. */
function touchedKeys(rows: readonly ValidRow[], matched: readonly ContactSnapshot[]): Set<string> {
  const keys = new Set<string>();
  for (const r of rows) {
    keys.add(`e:${keyOf('email', r.req)}`);
    if (r.req.external_id) keys.add(`x:${r.req.external_id}`);
  }
  for (const c of matched) {
    keys.add(`e:${keyOf('email', c)}`);
    if (c.external_id) keys.add(`x:${c.external_id}`);
  }
  return keys;
}

/** Whether any row's email or external_id is among `keys`. */
function meets(keys: ReadonlySet<string>, rows: readonly ValidRow[]): boolean {
  if (!keys.size) return false;
  for (const r of rows) {
    if (keys.has(`e:${keyOf('email', r.req)}`)) return true;
    if (r.req.external_id && keys.has(`x:${r.req.external_id}`)) return true;
  }
  return false;
}

function importedEvent(ctx: RequestContext, contactId: string, importId: string, listId: string): NewEvent {
  return { type: 'contact.imported', tenant_id: ctx.tenant_id, mode: ctx.mode, key: contactId, data: { contact_id: contactId, import_id: importId, list_id: listId } };
}

/**
 * A match key in the key table: 64 bits of its SHA-256 as a signed bigint literal — exactly as before the ledger
 * moved to memory, so a job that claimed keys under the earlier code finds them when it resumes under this one.
 */
function tableKeyHash(key: string): string {
  return hash('sha256', key, 'buffer').readBigInt64BE(0).toString();
}

/**
 * One row checked on its own and against the rows before it (the ledger): its request, or why it is refused.
 * An accepted row takes its keys. The one check of both a batch's preparation and a resumed run's replay, so
 * the replay takes exactly the keys the runs before took.
 */
function checkRow(plan: RowPlan, matchOn: BatchMatchKey, ledger: KeyLedger, record: FileRecord, row: number): { req: CreateContact } | RowProblem {
  const r = rowRequest(plan, record);
  if (!('req' in r)) return r;
  if (!keyOf(matchOn, r.req)) return { code: 'validation_failed', reason: `${matchOn}: required, rows are matched on it` };
  const taken = takeKeys(ledger, r.req, row);
  if (taken) return { code: 'duplicate_row', reason: `the ${taken.key} '${keyOf(taken.key, r.req)}' is already in row ${taken.row}` };
  return r;
}

/**
 * Takes a row's unique keys (email, external_id) for `row` if none is taken yet; otherwise takes nothing and
 * returns the first one taken and its row. The email is compared as the database compares it (lower case).
 */
function takeKeys(ledger: KeyLedger, req: CreateContact, row: number): { key: BatchMatchKey; row: number } | undefined {
  const hashes: KeyHash[] = [];
  for (const key of BATCH_MATCH_KEYS) {
    const value = keyOf(key, req);
    if (!value) continue;
    const h = keyHash(`${key === 'email' ? 'e' : 'x'}:${value}`);
    const earlier = ledger.rowOf(h);
    if (earlier) return { key, row: earlier };
    hashes.push(h);
  }
  for (const h of hashes) ledger.take(h, row);
  return undefined;
}

/** The row for the report: text even if the bytes were not (bad bytes shown as U+FFFD), no NUL (PostgreSQL text cannot hold it). */
function rawText(raw: Buffer): string {
  return utf8Lossy.decode(raw).replace(/\0/g, '\uFFFD');
}
