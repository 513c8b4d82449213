/**
 * ContactOrderingRepository on real PostgreSQL: only a contact's head may
 * take its claim, and only while no other delivery of the contact holds it;
 * a claim is taken back by its own delivery, taken over once it lapsed or
 * its delivery is settled; releasing frees it and names the new head.
 */
import type { DataSource } from 'typeorm';
import { newId, scopeOf } from '@sigil/platform';
import { TestDatabase, testContext } from '@sigil/testing';
import { insertEndpoint, webhooksTestDatabase } from '../test/webhooks-database';
import { ContactOrderingRepository, type OrderedDelivery } from './contact-ordering.repository';

let db: TestDatabase;
let ds: DataSource;
const repository = new ContactOrderingRepository();

beforeAll(async () => {
  db = await webhooksTestDatabase();
  ds = db.dataSource;
});

afterAll(async () => {
  await db?.drop();
});

/** A per_contact endpoint with `n` pending deliveries of one contact, in order. */
async function contactQueue(n: number): Promise<OrderedDelivery[]> {
  const s = scopeOf(testContext());
  const endpoint = await insertEndpoint(db, s, { events: ['contact.updated'], ordering: 'per_contact' });
  const queue: OrderedDelivery[] = [];
  for (let i = 0; i < n; i++) {
    const [row] = (await ds.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, contact_id, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, 'contact.updated', 'con_1', now()) RETURNING id, endpoint_id, contact_id, seq::text AS seq`,
      [newId('msg'), s.tenantId, s.mode, endpoint.id, newId('evt')],
    )) as OrderedDelivery[];
    queue.push(row!);
  }
  return queue;
}

it("lets only the contact's head claim, one attempt at a time, and names the next head on release", async () => {
  const [head, second] = await contactQueue(2);
  expect(await repository.queue(ds.manager, head!.endpoint_id, 'con_1')).toEqual([head, second].map((d) => ({ id: d!.id, seq: d!.seq })));

  expect(await repository.claim(ds.manager, second!, 30_000)).toMatchObject({ claimed: false, behind: true });
  expect(await repository.claim(ds.manager, head!, 30_000)).toMatchObject({ claimed: true });
  // Its own job taken again (a retaken attempt) gets it back.
  expect(await repository.claim(ds.manager, head!, 30_000)).toMatchObject({ claimed: true });

  // Settled: the second is the head now, but the claim is held until released (or its delivery found settled).
  await ds.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = $1`, [head!.id]);
  expect(await repository.release(ds.manager, head!)).toEqual({ id: second!.id, generation: 0 });
  expect(await repository.claim(ds.manager, second!, 30_000)).toMatchObject({ claimed: true });
});

it("keeps another delivery out while a pending delivery's claim holds, and lets it take over once the claim lapsed", async () => {
  const [first, second] = await contactQueue(2);
  // The first one's claim is held; the second became the head by itself (the first was retried by hand into a new seq, say).
  expect(await repository.claim(ds.manager, first!, 30_000)).toMatchObject({ claimed: true });
  await ds.query(`UPDATE webhook_deliveries SET seq = nextval('webhook_deliveries_seq') WHERE id = $1`, [first!.id]);
  const out = await repository.claim(ds.manager, second!, 30_000);
  expect(out).toMatchObject({ claimed: false, behind: false });
  expect(Number(out.held_ms)).toBeGreaterThan(0);

  await ds.query(`UPDATE webhook_ordering_claims SET until = now() - interval '1 second' WHERE delivery_id = $1`, [first!.id]);
  expect(await repository.claim(ds.manager, second!, 30_000)).toMatchObject({ claimed: true });
});
