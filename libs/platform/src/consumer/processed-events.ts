/**
 * The idempotent consumer's ledger: an event id is processed once per
 * consumer, even when Kafka redelivers it. The ledger row and the handler's
 * writes commit in one transaction, so a crash in between leaves neither.
 */
import type { DataSource, EntityManager } from 'typeorm';

export async function processOnce(dataSource: DataSource, consumer: string, eventId: string, handle: (manager: EntityManager) => Promise<void>): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(`INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`, [
      consumer,
      eventId,
    ]);
    if (!inserted.length) return false;
    await handle(manager);
    return true;
  });
}

/**
 * The batch form of `processOnce`, inside the caller's transaction: records
 * these event ids for this consumer and returns those not seen before (the
 * caller applies only them; its writes commit with the ledger rows).
 */
export async function processNewEvents(manager: EntityManager, consumer: string, eventIds: string[]): Promise<Set<string>> {
  if (!eventIds.length) return new Set();
  const inserted: { event_id: string }[] = await manager.query(
    `INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, [...new Set(eventIds)]],
  );
  return new Set(inserted.map((r) => r.event_id));
}
