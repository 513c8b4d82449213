/**
 * `COPY … FROM STDIN` on the connection of the caller's transaction: the
 * plumbing the bulk writers share (the outbox's `insertCopied`, the contacts
 * import's staging tables, contacts/copy-rows.ts). The statement names the
 * format; the data is the caller's, written with copy-data.ts.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

/**
 * Streams `data` (pieces of COPY data, each written as it comes) into `sql`,
 * a `COPY … FROM STDIN` statement, and resolves once PostgreSQL has taken
 * every row. Needs the manager of an open transaction: the COPY must run on
 * the connection of the statements around it (a temporary table, a NOTIFY
 * after it), and a manager without a transaction has no connection of its
 * own. A failed COPY rejects (the transaction is then aborted).
 */
export async function copyInto(manager: EntityManager, sql: string, data: Iterable<string> | AsyncIterable<string>): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error(`copyInto needs the manager of an open transaction (${sql})`);
  const client = (await manager.queryRunner.connect()) as PoolClient;
  await pipeline(Readable.from(data), client.query(copyFrom(sql)));
}
