/**
 * Group commit: writes of one kind that arrive in the same turn of the event
 * loop (requests fetched from Kafka together) are done by one transaction
 * per tenant and mode, so a group pays one commit and one statement per kind
 * of row instead of one each per request — on this platform a round trip to
 * PostgreSQL costs more CPU than the work it carries (docs/performance.md,
 * session 6). Each request still gets its own outcome: the group's writer
 * returns one per item, and a failure that belongs to one request (a 404, a
 * 409, a validation error) fails that request alone. If the transaction
 * itself fails, every request of the group fails with its error, as each
 * would have alone.
 *
 * What a writer must keep per request, because the group runs outside the
 * requests' own async contexts: the events it prepares (`inContext(() =>
 * outbox.prepare(…))`, so each carries its own actor, IP, request id and
 * trace), and its Idempotency-Key (`claimGroupKeys` records the group's keys
 * in one statement; a request whose key another one holds must write nothing;
 * `releaseGroupKeys` takes back the keys of requests that ended without a
 * write, as their own rolled-back transactions would have).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '@sigil/contracts';
import { currentIdempotencyScope, forgetIdempotencyKeys, recordIdempotencyKeys, type IdempotencyScope } from '../idempotency/idempotency-ledger';
import { scopeOf, type TenantScope } from './tenant-scope';

/** The most requests one transaction takes; a bigger group is split. */
const MAX_GROUP = 100;

export interface GroupItem<I> {
  ctx: RequestContext;
  input: I;
  /** The request's Idempotency-Key (none without one). */
  idempotency: IdempotencyScope | undefined;
  /** Runs a function in the request's async context (logging context, trace, idempotency scope). */
  inContext: <T>(fn: () => T) => T;
}

export type GroupOutcome<R> = { value: R } | { error: unknown };

export interface GroupCommitOptions {
  /**
   * The writer opens its own transaction when it needs one and is handed the
   * data source's manager (autocommit) otherwise: a writer whose whole write
   * is one statement (atomic by itself) saves the BEGIN and COMMIT round
   * trips. Default false: the group runs in one transaction.
   */
  writerTransacts?: boolean;
}

/** Writes one group in the given transaction (or, with `writerTransacts`, with the data source's manager); returns an outcome per item, in order. */
export type GroupWriter<I, R> = (m: EntityManager, scope: TenantScope, items: GroupItem<I>[]) => Promise<GroupOutcome<R>[]>;

interface Pending<I, R> extends GroupItem<I> {
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, R> {
  private pending = new Map<string, Pending<I, R>[]>();
  private scheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: GroupWriter<I, R>,
    private readonly options: GroupCommitOptions = {},
  ) {}

  /** Does this request's write, with the other requests of this turn of its tenant and mode. */
  submit(ctx: RequestContext, input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const item: Pending<I, R> = { ctx, input, idempotency: currentIdempotencyScope(), inContext: AsyncLocalStorage.snapshot(), resolve, reject };
      const key = `${ctx.tenant_id}\u0000${ctx.mode}`;
      const group = this.pending.get(key);
      if (group) group.push(item);
      else this.pending.set(key, [item]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = [...this.pending.values()];
    this.pending = new Map();
    for (const group of groups) {
      for (let i = 0; i < group.length; i += MAX_GROUP) void this.write(group.slice(i, i + MAX_GROUP));
    }
  }

  private async write(items: Pending<I, R>[]): Promise<void> {
    let outcomes: GroupOutcome<R>[];
    try {
      const run = (m: EntityManager) => this.writer(m, scopeOf(items[0]!.ctx), items);
      const exec = () => (this.options.writerTransacts ? run(this.dataSource.manager) : this.dataSource.transaction(run));
      // A group of one runs in its request's context (its spans and logs are its own).
      outcomes = await (items.length === 1 ? items[0]!.inContext(exec) : exec());
    } catch (err) {
      for (const item of items) item.reject(err);
      return;
    }
    items.forEach((item, i) => {
      const outcome = outcomes[i];
      if (!outcome) item.reject(new Error('group commit: the writer returned no outcome for a request'));
      else if ('value' in outcome) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}

/**
 * Records the Idempotency-Keys of the group's requests in one statement.
 * Returns the requests whose key another request holds (an earlier one, or
 * one before it in this group): they must write nothing, and fail with
 * `IdempotencyKeyRecorded` so that serveRpc answers with that request's outcome.
 */
export async function claimGroupKeys<I>(m: EntityManager, items: GroupItem<I>[]): Promise<Set<GroupItem<I>>> {
  const keyed = items.filter((i) => i.idempotency);
  if (!keyed.length) return new Set();
  const recorded = await recordIdempotencyKeys(
    m,
    keyed.map((i) => i.idempotency!),
  );
  return new Set(keyed.filter((i) => !recorded.has(i.idempotency!)));
}

/** Takes back the keys of these requests (they ended without a write): a retry is served anew. */
export async function releaseGroupKeys<I>(m: EntityManager, items: GroupItem<I>[]): Promise<void> {
  await forgetIdempotencyKeys(
    m,
    items.flatMap((i) => i.idempotency ?? []),
  );
}
