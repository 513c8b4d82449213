/**
 * The service side of `Idempotency-Key` (SPEC §2). The gateway's Redis store
 * replays finished requests, but it cannot know the outcome of a request
 * whose reply never came back (504, a gateway killed mid-request): the
 * service may still have done, or still do, the write. So the gateway passes
 * the key (hashed) and the request's fingerprint in the request context, and
 * a service records the key in the SAME transaction as the write — the
 * outbox append of the write's events is the hook, since every write emits
 * one. A retry then finds the record: it is answered with the stored reply
 * (or 409 while the first is still finishing, 422 for a different request)
 * instead of writing twice. Records are kept 24 h, like the gateway's.
 */
import { Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { RequestContext, RpcReply } from '@sigil/contracts';
import { DomainError } from '../errors/domain-errors';

const RETENTION_HOURS = 24;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** One idempotent request being served: which key, and whether its write recorded it. */
export interface IdempotencyScope {
  tenant_id: string;
  mode: string;
  key: string;
  fingerprint: string;
  pattern: string;
  recorded: boolean;
}

/** Thrown inside a write's transaction when its key is already recorded: the transaction rolls back. */
export class IdempotencyKeyRecorded extends Error {
  constructor() {
    super('Idempotency-Key already recorded by an earlier request');
  }
}

const storage = new AsyncLocalStorage<IdempotencyScope>();

/** Runs a request handler with its idempotency scope (none without a key). */
export function runIdempotent<T>(scope: IdempotencyScope | undefined, fn: () => T): T {
  return scope ? storage.run(scope, fn) : fn();
}

/**
 * Records the current request's key inside `manager`'s transaction (once per
 * request), or throws `IdempotencyKeyRecorded` if an earlier request did. A
 * concurrent duplicate blocks on the primary key until the first commits.
 */
export async function recordIdempotencyKey(manager: EntityManager): Promise<void> {
  const scope = storage.getStore();
  if (!scope || scope.recorded) return;
  if (!(await recordIdempotencyKeys(manager, [scope])).has(scope)) throw new IdempotencyKeyRecorded();
}

/** The idempotency scope of the request being served in this async context (none without a key). */
export function currentIdempotencyScope(): IdempotencyScope | undefined {
  return storage.getStore();
}

/**
 * recordIdempotencyKey for the requests of one transaction that serves several
 * at once (group commit, ContactCreates): one statement for all their keys.
 * Returns the scopes whose key is recorded (now, or earlier by this same
 * request); a scope left out lost to an earlier request with the same key
 * (or to one before it in this list), and its request must write nothing and
 * fail with IdempotencyKeyRecorded — without rolling back the others.
 */
export async function recordIdempotencyKeys(manager: EntityManager, scopes: IdempotencyScope[]): Promise<Set<IdempotencyScope>> {
  const recorded = new Set(scopes.filter((s) => s.recorded));
  const firsts = new Map<string, IdempotencyScope>();
  for (const s of scopes) {
    const id = `${s.tenant_id}\u0000${s.mode}\u0000${s.key}\u0000${s.pattern}`;
    if (!s.recorded && !firsts.has(id)) firsts.set(id, s);
  }
  const todo = [...firsts.values()];
  if (!todo.length) return recorded;
  const inserted: { tenant_id: string; mode: string; key_hash: string; pattern: string }[] = await manager.query(
    `INSERT INTO idempotency_records (tenant_id, mode, key_hash, pattern, fingerprint)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT DO NOTHING RETURNING tenant_id, mode, key_hash, pattern`,
    [todo.map((s) => s.tenant_id), todo.map((s) => s.mode), todo.map((s) => s.key), todo.map((s) => s.pattern), todo.map((s) => s.fingerprint)],
  );
  for (const row of inserted) {
    const s = firsts.get(`${row.tenant_id}\u0000${row.mode}\u0000${row.key_hash}\u0000${row.pattern}`);
    if (!s) continue;
    s.recorded = true;
    recorded.add(s);
  }
  return recorded;
}

/**
 * Takes back keys recorded by recordIdempotencyKeys for requests of the group
 * that then failed (a 409 on the contact's email): in their own transaction
 * the failure would have rolled the key back, so a retry is served anew.
 */
export async function forgetIdempotencyKeys(manager: EntityManager, scopes: IdempotencyScope[]): Promise<void> {
  const recorded = scopes.filter((s) => s.recorded);
  if (!recorded.length) return;
  await manager.query(
    `DELETE FROM idempotency_records r USING unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(tenant_id, mode, key_hash, pattern)
     WHERE r.tenant_id = k.tenant_id AND r.mode = k.mode AND r.key_hash = k.key_hash AND r.pattern = k.pattern`,
    [recorded.map((s) => s.tenant_id), recorded.map((s) => s.mode), recorded.map((s) => s.key), recorded.map((s) => s.pattern)],
  );
  for (const s of recorded) s.recorded = false;
}

export function idempotencyScope(ctx: RequestContext | undefined, pattern: string): IdempotencyScope | undefined {
  if (!ctx?.idempotency) return undefined;
  return { tenant_id: ctx.tenant_id, mode: ctx.mode, key: ctx.idempotency.key, fingerprint: ctx.idempotency.fingerprint, pattern, recorded: false };
}

/** A request/reply server that consults the ledger (ConcurrentServerKafka). */
export interface LedgerAware {
  useIdempotencyLedger(ledger: IdempotencyLedger): void;
}

function isLedgerAware(target: unknown): target is LedgerAware {
  return typeof (target as Partial<LedgerAware> | undefined)?.useIdempotencyLedger === 'function';
}

@Injectable()
export class IdempotencyLedger implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private pruner?: NodeJS.Timeout;
  private servers?: Subscription;

  constructor(
    private readonly dataSource: DataSource,
    /** The app's modules: its request/reply servers are announced there (Nest's RPC target registry). */
    @Optional() private readonly modules?: ModulesContainer,
  ) {}

  onModuleInit(): void {
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
    // The app's Kafka server serves requests outside Nest's DI: hand it this ledger.
    this.servers = this.modules?.getRpcTargetRegistry<unknown>().subscribe((target) => {
      if (isLedgerAware(target)) target.useIdempotencyLedger(this);
    });
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruner);
    this.servers?.unsubscribe();
  }

  /**
   * What an earlier request with this key decided: its stored reply, or an
   * error (422 for a different request, 409 while it is still finishing or
   * if its reply was lost), or undefined when the key is unknown.
   */
  async earlierOutcome(scope: IdempotencyScope): Promise<RpcReply | undefined> {
    const rows: Array<{ fingerprint: string; reply: RpcReply | null }> = await this.dataSource.query(
      `SELECT fingerprint, reply FROM idempotency_records
        WHERE tenant_id = $1 AND mode = $2 AND key_hash = $3 AND pattern = $4 AND created_at > now() - make_interval(hours => $5)`,
      [scope.tenant_id, scope.mode, scope.key, scope.pattern, RETENTION_HOURS],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.fingerprint !== scope.fingerprint) {
      return { error: new DomainError(422, 'idempotency_key_reuse', 'This Idempotency-Key was already used with a different request.').toBody() };
    }
    if (!row.reply) {
      return {
        error: new DomainError(409, 'idempotency_key_in_flight', 'A request with this Idempotency-Key is still being processed.').toBody(),
      };
    }
    return row.reply;
  }

  /** Stores the reply of the request that recorded the key (after its commit). */
  async complete(scope: IdempotencyScope, reply: RpcReply): Promise<void> {
    if (!scope.recorded) return;
    try {
      await this.dataSource.query(`UPDATE idempotency_records SET reply = $5 WHERE tenant_id = $1 AND mode = $2 AND key_hash = $3 AND pattern = $4`, [
        scope.tenant_id,
        scope.mode,
        scope.key,
        scope.pattern,
        JSON.stringify(reply),
      ]);
    } catch (err) {
      // The write is committed; a retry will get 409 instead of the reply, never a second write.
      this.logger.warn({ msg: 'could not store the reply of an idempotent request', err: String(err) });
    }
  }

  async prune(): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM idempotency_records WHERE created_at < now() - make_interval(hours => $1)`, [RETENTION_HOURS]);
    } catch (err) {
      this.logger.warn({ msg: 'pruning idempotency records failed', err: String(err) });
    }
  }
}

/** The ledger's table; services that use the ledger list it after their own migrations. */
export class IdempotencyRecords1764200000000 implements MigrationInterface {
  name = 'IdempotencyRecords1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_records (
        tenant_id    text NOT NULL,
        mode         text NOT NULL,
        key_hash     text NOT NULL,
        pattern      text NOT NULL,
        fingerprint  text NOT NULL,
        reply        jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, mode, key_hash, pattern)
      )`);
    await q.query(`CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_records');
  }
}
