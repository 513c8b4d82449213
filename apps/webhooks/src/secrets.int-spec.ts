/**
 * Signing secrets encrypted at rest, on real PostgreSQL, Redis and Kafka:
 * the database holds no `whsec_` value, deliveries still verify with the
 * `standardwebhooks` library, a KEK rotation re-encrypts every secret
 * (old deliveries retried afterwards still verify, the old key can then
 * go), an endpoint's own secret rotation keeps its grace period, and the
 * migration seals secrets that were stored in clear.
 */
import { randomBytes } from 'node:crypto';
import { createDataSource, newId } from '@sigil/platform';
import { createTestDatabase, dropTestDatabase, eventually, testContext, WebhookReceiver } from '@sigil/testing';
import type { RequestContext } from '@sigil/contracts';
import { DeliveriesService } from './delivery/deliveries.service';
import { EndpointsService } from './endpoints/endpoints.service';
import { webhooksMigrations } from './migrations';
import { EventBodies1765200000500 } from './migrations/1765200000500-event-bodies';
import { reencryptSecrets } from './secrets/endpoint-secrets';
import { EndpointSecretsRepository } from './secrets/endpoint-secrets.repository';
import { SecretKeyring } from './secrets/secret-keyring';
import { generateSecret } from './signing/webhook-signer';
import { domainEvent, WebhooksHarness } from './test/webhooks-harness';

const KEK_A = `a:${randomBytes(32).toString('base64')}`;
const KEK_B = `b:${randomBytes(32).toString('base64')}`;

const member = () => ({ list_id: `lst_${randomBytes(6).toString('hex')}`, contact_id: `con_${randomBytes(6).toString('hex')}` });

describe('signing secrets at rest', () => {
  let harness: WebhooksHarness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    harness = await WebhooksHarness.start({ WEBHOOK_SECRET_KEK: KEK_A });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await harness?.close();
    await receiver?.close();
  });

  const endpoint = (ctx: RequestContext) => harness.endpointOn(receiver, ctx);

  async function storedRow(id: string): Promise<{ text: string; secret_key_id: string }> {
    const [row] = (await harness.dataSource.query(`SELECT row_to_json(e)::text AS text, secret_key_id FROM webhook_endpoints e WHERE id = $1`, [id])) as {
      text: string;
      secret_key_id: string;
    }[];
    return row!;
  }

  it('stores no secret in clear, and the Standard Webhooks library verifies what it signs', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    expect(target.secret).toMatch(/^whsec_/);
    const row = await storedRow(target.id);
    expect(row.secret_key_id).toBe('a');
    expect(row.text).not.toContain('whsec_');
    expect(row.text).not.toContain(target.secret.slice(6));
    const event = await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member()));
    const [got] = await receiver.waitFor(target.path, (all) => all.length >= 1);
    expect(got!.payload.id).toBe(event.id);
    expect(got!.verifiedWith).toEqual([target.secret]);
    // Nowhere in the database either: every row of every table (outbox events included), as text.
    const tables = (await harness.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)) as {
      table_name: string;
    }[];
    expect(tables.length).toBeGreaterThan(5);
    let hits = 0;
    for (const { table_name } of tables) {
      const [found] = (await harness.dataSource.query(`SELECT count(*)::int AS n FROM "${table_name}" t WHERE row_to_json(t)::text LIKE '%whsec\\_%'`)) as {
        n: number;
      }[];
      hits += found!.n;
    }
    expect(hits).toBe(0);
  });

  it('re-encrypts every secret after a KEK rotation; old and new deliveries keep verifying, grace included, and the old key can go', async () => {
    const ctx = testContext();
    const plain = await endpoint(ctx);
    const rotating = await endpoint(ctx);
    const rotated = await harness.get(EndpointsService).rotateSecret(ctx, rotating.id);
    receiver.expectSecrets(rotating.path, [rotated.secret, rotating.secret]);
    await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member()));
    const [first] = await receiver.waitFor(plain.path, (all) => all.length >= 1);
    await receiver.waitFor(rotating.path, (all) => all.length >= 1);
    const before = await storedRow(plain.id);

    // New key first, the old one still listed: a start re-encrypts in the background.
    harness = await harness.restart({ WEBHOOK_SECRET_KEK: `${KEK_B},${KEK_A}` });
    await eventually(
      () => storedRow(plain.id),
      (r) => r.secret_key_id === 'b',
    );
    await eventually(
      () => storedRow(rotating.id),
      (r) => r.secret_key_id === 'b',
    );
    const after = await storedRow(plain.id);
    expect(after.text).not.toBe(before.text);
    expect(after.text).not.toContain('whsec_');
    const [{ stale }] = (await harness.dataSource.query(`SELECT count(*)::int AS stale FROM webhook_endpoints WHERE secret_key_id <> 'b'`)) as [{ stale: number }];
    expect(stale).toBe(0);

    // Then the old key removed: an old delivery sent again and a new event both verify, the rotated endpoint with both secrets.
    harness = await harness.restart({ WEBHOOK_SECRET_KEK: KEK_B });
    const deliveries = harness.get(DeliveriesService);
    const old = (await deliveries.list(ctx, plain.id, { limit: 10 })).data.find((d) => d.event_id === first!.payload.id)!;
    await deliveries.retry(ctx, plain.id, old.id);
    await receiver.waitFor(plain.path, (all) => all.length >= 2);
    await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member()));
    const plainGot = await receiver.waitFor(plain.path, (all) => all.length >= 3);
    const rotatingGot = await receiver.waitFor(rotating.path, (all) => all.length >= 2);
    expect(plainGot.map((d) => d.verifiedWith)).toEqual([[plain.secret], [plain.secret], [plain.secret]]);
    expect(plainGot[1]!.headers['webhook-id']).toBe(old.id);
    expect(rotatingGot[1]!.verifiedWith).toEqual([rotated.secret, rotating.secret]);
    expect(rotatingGot[1]!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    // A second rotation under the new key still works, and the previous secret still signs through its grace.
    const again = await harness.get(EndpointsService).rotateSecret(ctx, rotating.id);
    receiver.expectSecrets(rotating.path, [again.secret, rotated.secret]);
    await harness.publish(domainEvent('list.member_added', ctx.tenant_id, member()));
    const latest = await receiver.waitFor(rotating.path, (all) => all.length >= 3);
    expect(latest[2]!.verifiedWith).toEqual([again.secret, rotated.secret]);
  });

  it('reports secrets sealed with a key the list lacks, and leaves them alone', async () => {
    const ctx = testContext();
    const target = await endpoint(ctx);
    const stranger = SecretKeyring.fromConfig(`c:${randomBytes(32).toString('base64')}`);
    await harness.dataSource.query(`UPDATE webhook_endpoints SET secret_sealed = $2, secret_key_id = 'c' WHERE id = $1`, [
      target.id,
      stranger.seal(target.id, target.secret),
    ]);
    await expect(reencryptSecrets(harness.dataSource, harness.get(EndpointSecretsRepository), harness.get(SecretKeyring))).resolves.toEqual({
      reencrypted: 0,
      unreadable: 1,
    });
    expect((await storedRow(target.id)).secret_key_id).toBe('c');
    await harness.dataSource.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [target.id]);
  });
});

describe('the migration to sealed secrets and stored bodies', () => {
  it('seals clear secrets and moves every delivery body to its event, keeping both readable', async () => {
    const url = await createTestDatabase('webhooks');
    const keyring = SecretKeyring.fromConfig(KEK_A);
    const all = webhooksMigrations(keyring);
    const upTo = (count: number) => createDataSource({ service: 'webhooks-migration-test', url, poolSize: 2, entities: [], migrations: all.slice(0, count) });
    try {
      // The schema as the previous release left it, with clear secrets and a body per delivery.
      let ds = await upTo(all.indexOf(EventBodies1765200000500)).initialize();
      await ds.runMigrations({ transaction: 'each' });
      const secret = generateSecret();
      const previous = generateSecret();
      const endpointId = newId('whe');
      await ds.query(
        `INSERT INTO webhook_endpoints (id, tenant_id, mode, url, events, secret, previous_secret, previous_secret_expires_at)
         VALUES ($1, 'ten_1', 'live', 'https://example.com/h', '{*}', $2, $3, now() + interval '1 hour')`,
        [endpointId, secret, previous],
      );
      const events = Array.from({ length: 12 }, (_, i) => ({ id: newId('evt'), body: JSON.stringify({ id: `e${i}`, data: { n: i } }) }));
      let count = 0;
      for (const e of events) {
        for (const copy of [1, 2]) {
          count++;
          await ds.query(`INSERT INTO webhook_endpoints (id, tenant_id, mode, url, events, secret) VALUES ($1, 'ten_1', 'live', 'https://example.com/h', '{*}', $2)`, [
            `whe_copy_${count}`,
            generateSecret(),
          ]);
          await ds.query(
            `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, body) VALUES ($1, 'ten_1', 'live', $2, $3, 'contact.created', $4)`,
            [newId('msg'), copy === 1 ? endpointId : `whe_copy_${count}`, e.id, e.body],
          );
        }
      }
      await ds.destroy();

      ds = await upTo(all.length).initialize();
      EventBodies1765200000500.batchSize = 5; // 24 deliveries: five batches and a partial one
      await ds.runMigrations({ transaction: 'each' });
      const [row] = (await ds.query(`SELECT row_to_json(e)::text AS text, e.* FROM webhook_endpoints e WHERE id = $1`, [endpointId])) as {
        text: string;
        secret_sealed: string;
        previous_secret_sealed: string;
        secret_key_id: string;
      }[];
      expect(row!.text).not.toContain('whsec_');
      expect(row!.secret_key_id).toBe('a');
      expect(keyring.open(endpointId, 'a', row!.secret_sealed)).toBe(secret);
      expect(keyring.open(endpointId, 'a', row!.previous_secret_sealed)).toBe(previous);
      const [{ clear }] = (await ds.query(`SELECT count(*)::int AS clear FROM webhook_endpoints e WHERE row_to_json(e)::text LIKE '%whsec\\_%'`)) as [{ clear: number }];
      expect(clear).toBe(0);
      const columns = (await ds.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'webhook_deliveries'`)) as { column_name: string }[];
      expect(columns.map((c) => c.column_name)).not.toContain('body');
      const bodies = (await ds.query(`SELECT event_id, body FROM webhook_event_bodies ORDER BY event_id`)) as { event_id: string; body: string }[];
      expect(bodies).toEqual([...events].sort((x, y) => (x.id < y.id ? -1 : 1)).map((e) => ({ event_id: e.id, body: e.body })));
      await ds.destroy();
    } finally {
      EventBodies1765200000500.batchSize = 5000;
      await dropTestDatabase(url);
    }
  });
});
