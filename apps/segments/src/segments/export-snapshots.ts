/**
 * Database snapshots held open for segment exports, so every chunk of one
 * export reads the membership as it was when the export began, however it
 * changes meanwhile (a consistent snapshot, SPEC §13).
 *
 * The first chunk opens a REPEATABLE READ transaction on its own connection
 * and exports its snapshot (`pg_export_snapshot()`); later chunks run on that
 * connection when they reach this replica, or import the snapshot
 * (`SET TRANSACTION SNAPSHOT`) on another replica. A snapshot is released
 * with the export's last chunk, or after `idleMs` without a chunk (a client
 * that went away), and at most `max` are held at once per replica. This
 * file holds the connections; their statements are ExportSnapshotsRepository's.
 *
 * Reading ahead: once a chunk is answered, the snapshot's connection reads
 * the next one at once (`ahead`), so the database works on chunk n + 1 while
 * chunk n travels to the gateway and to the client, instead of the two
 * taking turns (issue #17: the export's rate was one chunk's whole round
 * trip per chunk). The chunk read ahead is used only by the request that
 * names exactly it (same tenant, segment, format, cursor and size: its
 * `key`); any other request runs its own read after it. One chunk ahead at
 * most, so a replica still holds at most two chunks per export.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { DomainError } from '@sigil/platform';
import { ExportSnapshotsRepository, isSnapshotId } from './export-snapshots.repository';

interface Held {
  runner: QueryRunner;
  timer: NodeJS.Timeout;
  busy: Promise<unknown>;
  /** The chunk read ahead, and the request it answers. */
  ahead?: { key: string; result: Promise<unknown> };
}

/** A read of the export's next chunk, for the request identified by `key`. */
export interface NextRead<T> {
  key: string;
  read: (manager: EntityManager) => Promise<T>;
}

/** How to read ahead: this request's key, and the read that follows a result. */
export interface ReadAhead<T> {
  key: string;
  next: (result: T) => NextRead<T>;
}

export class ExportExpired extends DomainError {
  constructor() {
    super(409, 'conflict', 'The export snapshot expired; start the export again.');
  }
}

export class TooManyExports extends DomainError {
  constructor() {
    super(503, 'service_unavailable', 'Too many exports are running; try again shortly.');
  }
}

@Injectable()
export class ExportSnapshots implements OnApplicationShutdown {
  private readonly held = new Map<string, Held>();
  idleMs = 60_000;
  max = 16;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: ExportSnapshotsRepository,
  ) {}

  /**
   * Runs `read` in the export's snapshot: a new one when `snapshot` is null.
   * Returns the snapshot id to pass back, or null once `done` says the export
   * is complete (the snapshot is then released). With `ahead`, the chunk
   * that follows an answer is read at once on a held snapshot, for the
   * request whose key `ahead.next` gives.
   */
  async read<T>(
    snapshot: string | null,
    read: (manager: EntityManager) => Promise<T>,
    done: (result: T) => boolean,
    ahead?: ReadAhead<T>,
  ): Promise<{ result: T; snapshot: string | null }> {
    if (snapshot === null) return this.open(read, done, ahead);
    if (!isSnapshotId(snapshot)) throw new ExportExpired();
    const local = this.held.get(snapshot);
    if (local) {
      const early = local.ahead && ahead && local.ahead.key === ahead.key ? (local.ahead.result as Promise<T>) : undefined;
      local.ahead = undefined;
      const run = early ?? local.busy.then(() => read(local.runner.manager));
      if (!early) local.busy = run.catch(() => undefined);
      const result = await run;
      if (done(result)) {
        await this.release(snapshot);
        return { result, snapshot: null };
      }
      if (ahead) this.readAhead(local, ahead.next(result));
      this.touch(snapshot);
      return { result, snapshot };
    }
    // Held by another replica: import it for this chunk.
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      if (!(await this.sql.join(runner.manager, snapshot))) throw new ExportExpired();
      const result = await read(runner.manager);
      return { result, snapshot: done(result) ? null : snapshot };
    } finally {
      await this.end(runner);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.release(id)));
  }

  private async open<T>(
    read: (manager: EntityManager) => Promise<T>,
    done: (result: T) => boolean,
    ahead?: ReadAhead<T>,
  ): Promise<{ result: T; snapshot: string | null }> {
    if (this.held.size >= this.max) throw new TooManyExports();
    const runner = this.dataSource.createQueryRunner();
    let keep = false;
    try {
      await runner.connect();
      const id = await this.sql.begin(runner.manager);
      const result = await read(runner.manager);
      if (done(result)) return { result, snapshot: null };
      keep = true;
      const held: Held = { runner, timer: this.expiry(id), busy: Promise.resolve() };
      this.held.set(id, held);
      if (ahead) this.readAhead(held, ahead.next(result));
      return { result, snapshot: id };
    } finally {
      if (!keep) await this.end(runner);
    }
  }

  /** Starts reading the next chunk on the snapshot's connection (after whatever runs on it); its error, if any, goes to the request that takes it. */
  private readAhead<T>(held: Held, next: NextRead<T>): void {
    const result = held.busy.then(() => next.read(held.runner.manager));
    held.busy = result.catch(() => undefined);
    held.ahead = { key: next.key, result };
    result.catch(() => undefined); // not unhandled if no request takes it
  }

  private touch(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    clearTimeout(held.timer);
    held.timer = this.expiry(id);
  }

  private expiry(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => void this.release(id), this.idleMs);
    timer.unref();
    return timer;
  }

  private async release(id: string): Promise<void> {
    const held = this.held.get(id);
    if (!held) return;
    this.held.delete(id);
    clearTimeout(held.timer);
    await held.busy;
    await this.end(held.runner);
  }

  /** Ends a snapshot's transaction and gives its connection back to the pool (a broken connection is released all the same). */
  private async end(runner: QueryRunner): Promise<void> {
    await this.sql.end(runner.manager).catch(() => undefined);
    await runner.release();
  }
}
