/**
 * Named (prepared) statements for the statements of the segments service's
 * live path — a contact event's transaction — whose text repeats from one
 * transaction to the next (issue #17, 500 updates/s).
 *
 * An unnamed statement is parsed, analysed and planned by PostgreSQL every
 * time. The evaluation of a tenant's segments is one statement of a few
 * kilobytes (twenty segments, nested ones inlined): its planning cost more
 * backend CPU than its execution (measured on the bench's 20 live segments,
 * ten contacts: 1.4 ms unnamed, 0.5 ms prepared), and a transaction pays it
 * whatever number of events it carries. A named statement is planned once
 * per connection; after five executions PostgreSQL keeps a generic plan when
 * it costs no more than the custom ones.
 *
 * Texts are told apart by a hash (the name). A connection prepares at most
 * `MAX_PER_CONNECTION` texts (a tenant's evaluation text changes with its
 * segments): beyond, statements run unnamed as before, and nothing is ever
 * deallocated inside a transaction (a failed DEALLOCATE would abort it).
 * Outside a transaction (no query runner) the statement runs unnamed. The
 * named statement itself runs through the platform's `queryNamed`
 * (libs/platform's named-statement.ts), which the contacts reads use too.
 */
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { queryNamed } from '@sigil/platform';

/** Distinct statements one connection prepares at most. */
export const MAX_PER_CONNECTION = 64;

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Per pg connection: the texts it was asked to prepare, and their names. */
const preparedBy = new WeakMap<object, Map<string, string>>();

/** Runs `text` as a named statement on the transaction's connection; returns its rows. */
export async function queryPrepared<T>(m: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const runner = m.queryRunner as (NonNullable<EntityManager['queryRunner']> & { connect(): Promise<PgClient> }) | undefined;
  if (!runner || runner.isReleased) return m.query(text, values);
  const client = await runner.connect();
  let names = preparedBy.get(client);
  if (!names) preparedBy.set(client, (names = new Map()));
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_PER_CONNECTION) return m.query(text, values);
    name = `sigil_segments_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return queryNamed<T>(m, { name, text }, values);
}
