/**
 * TypeORM's `query()` on PostgreSQL answers UPDATE and DELETE with
 * `[rows, rowCount]` but SELECT and INSERT with the rows: this reads the rows
 * of a `... RETURNING` statement of any kind.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
