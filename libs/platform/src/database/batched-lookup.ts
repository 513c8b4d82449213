/**
 * Lookups by key that arrive in the same turn of the event loop, answered by
 * one query (the DataLoader pattern, without its cache). A service reading a
 * row per request sent one statement per request: at saturation that was one
 * socket write, one parse and plan and one executor start in PostgreSQL per
 * read, about a third of the contacts service's and PostgreSQL's busy time
 * (docs/performance.md, session 6). Requests fetched from Kafka together are
 * dispatched in one turn, so their lookups now share a statement.
 *
 * Nothing is cached between turns: each batch reads the database anew, so a
 * read still sees every write committed before it started. A lookup waits at
 * most until the end of the current turn (`setImmediate`), or not at all when
 * the batch is full. If the query fails, every lookup of its batch fails with
 * the same error, as each would have alone.
 */
export class BatchedLookup<K, V> {
  private pending: { key: K; resolve: (value: V | undefined) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * @param fetch reads every key given (distinct by `idOf`) and returns the found values by `idOf(key)`
   * @param idOf a key's identity: lookups of equal ids share one result
   */
  constructor(
    private readonly fetch: (keys: K[]) => Promise<Map<string, V>>,
    private readonly idOf: (key: K) => string,
    private readonly maxBatch = 256,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const keys = new Map<string, K>();
    for (const { key } of batch) keys.set(this.idOf(key), key);
    this.fetch([...keys.values()]).then(
      (found) => {
        for (const { key, resolve } of batch) resolve(found.get(this.idOf(key)));
      },
      (err: unknown) => {
        for (const { reject } of batch) reject(err);
      },
    );
  }
}
