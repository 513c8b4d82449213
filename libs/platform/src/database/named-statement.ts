/**
 * Named (prepared) statements for reads whose SQL text never changes — first
 * the contacts read behind `GET /v1/contacts/:id` (issue #13).
 *
 * TypeORM's `query` sends every statement unnamed, which PostgreSQL parses,
 * analyses and plans at every execution; for the one-contact read, planning
 * (the contacts table has nine indexes, the suppression check two subplans)
 * cost more than running it: 0.29 against 0.06 ms (docs/performance.md,
 * session 11). A named statement is parsed once per connection — pg's client
 * remembers the names its connection prepared and afterwards sends only
 * Bind and Execute — and after five executions PostgreSQL keeps a generic
 * plan when it costs no more than the custom ones, so planning stops too.
 *
 * Each statement is a constant of its caller, made once: one name per SQL
 * text, values only ever as parameters (never in the text), so a connection
 * holds as many statements as there are constants. (apps/segments/src/
 * prepared-query.ts names texts built at run time, by hash and up to a cap
 * per connection.)
 */
import type { PoolClient } from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * Runs `statement` with `values` and returns its rows: on the transaction's
 * connection when `m` has one, otherwise on a pool connection taken for the
 * call (as `m.query` does).
 */
export async function queryNamed<T>(m: EntityManager, statement: NamedStatement, values: unknown[]): Promise<T[]> {
  if (m.queryRunner?.isReleased) return m.query(statement.text, values);
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    try {
      return (await client.query({ name: statement.name, text: statement.text, values })).rows as T[];
    } catch (err) {
      // As TypeORM reports a failed statement (callers map its driver error, e.g. a serialization failure).
      throw new QueryFailedError(statement.text, values, err as Error);
    }
  } finally {
    if (runner !== m.queryRunner) await runner.release();
  }
}
