/**
 * Consent on real PostgreSQL and Kafka (SPEC §12): subscription status and
 * its history, double opt-in and one-click unsubscribe tokens (forged,
 * expired, reused, another tenant's), and suppressions by email and domain
 * with the `contact.updated` they emit.
 */
import { ContactRpc, type RequestContext } from '@sigil/contracts';
import { contactInput, eventually, rejection, testContext, validatedRequest } from '@sigil/testing';
import { ConsentService } from './consent/consent.service';
import { signToken } from './consent/subscription-tokens';
import { ContactsBatchService } from './contacts/contacts-batch.service';
import { ContactsService } from './contacts/contacts.service';
import { SuppressionsService } from './suppressions/suppressions.service';
import { SuppressionFanout } from './suppressions/suppression-fanout';
import { ContactsHarness } from './test/contacts-harness';

const SECRET = 'consent-int-spec-secret-of-at-least-32-chars';
let h: ContactsHarness;
let contacts: ContactsService;
let batch: ContactsBatchService;
let consent: ConsentService;
let suppressions: SuppressionsService;
let fanout: SuppressionFanout;
/** Contacts scanned per transaction by a domain suppression's announcement: tiny, so a few contacts make several windows. */
const SCAN_ROWS = 3;

beforeAll(async () => {
  h = await ContactsHarness.start({
    name: 'contacts_consent',
    consent: { secret: SECRET, confirmTtlSeconds: 3600, unsubscribeTtlSeconds: 3600 },
    env: { SUPPRESSION_SCAN_ROWS: String(SCAN_ROWS) },
  });
  contacts = h.get(ContactsService);
  batch = h.get(ContactsBatchService);
  consent = h.get(ConsentService);
  suppressions = h.get(SuppressionsService);
  fanout = h.get(SuppressionFanout);
});

afterAll(async () => {
  await h?.close();
});

const eventsOf = (ctx: RequestContext, expected: number) => h.eventsOf(ctx, expected);

const keyCtx = () => testContext({ principal: { kind: 'api_key', id: 'key_test', scopes: ['*'] } });

describe('subscription status', () => {
  it('defaults to subscribed; a given or changed status is kept in the history with its actor and emits contact.subscription_changed', async () => {
    const ctx = keyCtx();
    const plain = await contacts.create(ctx, contactInput());
    expect(plain).toMatchObject({ subscription_status: 'subscribed', suppressed: false });
    expect((await consent.history(ctx, plain.id, {})).data).toEqual([]);

    const input = await validatedRequest(ContactRpc.create, { body: contactInput({ subscription_status: 'pending' }) });
    const pending = await contacts.create(ctx, input.body);
    const updated = await contacts.update(ctx, pending.id, { subscription_status: 'unsubscribed' });
    expect(updated).toMatchObject({ subscription_status: 'unsubscribed', version: 2 });
    await contacts.update(ctx, pending.id, { subscription_status: 'unsubscribed' }); // no change, no history

    const history = (await consent.history(ctx, pending.id, {})).data;
    expect(history.map((h) => [h.status, h.source, h.actor, h.ip])).toEqual([
      ['unsubscribed', 'api', 'api_key:key_test', null],
      ['pending', 'api', 'api_key:key_test', null],
    ]);
    const page = await consent.history(ctx, pending.id, { limit: 1 });
    expect(page.data).toHaveLength(1);
    const next = await consent.history(ctx, pending.id, { limit: 1, cursor: page.page.next_cursor! });
    expect(next.data.map((h) => h.status)).toEqual(['pending']);

    const events = await eventsOf(ctx, 4);
    const changed = events.filter((e) => e.type === 'contact.subscription_changed');
    expect(changed.map((e) => e.data)).toEqual([expect.objectContaining({ contact_id: pending.id, status: 'unsubscribed', previous_status: 'pending', source: 'api' })]);
    expect(events.find((e) => e.type === 'contact.updated')!.data).toMatchObject({ changed: ['subscription_status'], contact: { subscription_status: 'unsubscribed' } });
    expect((await rejection(validatedRequest(ContactRpc.create, { body: contactInput({ subscription_status: 'maybe' as never }) }))).status).toBe(400);
    expect((await rejection(consent.history(testContext(), pending.id, {}))).status).toBe(404);
  });

  it('batch rows set and change the status, with history from source batch', async () => {
    const ctx = keyCtx();
    const existing = await contacts.create(ctx, contactInput());
    const reply = await batch.upsert(ctx, {
      contacts: [
        { email: existing.email, subscription_status: 'bounced' },
        { ...contactInput(), subscription_status: 'complained' },
      ],
    });
    expect(reply).toMatchObject({ created: 1, updated: 1 });
    expect((await contacts.get(ctx, existing.id)).subscription_status).toBe('bounced');
    expect((await consent.history(ctx, existing.id, {})).data).toEqual([expect.objectContaining({ status: 'bounced', source: 'batch' })]);
    expect((await consent.history(ctx, reply.results[1]!.id!, {})).data).toEqual([expect.objectContaining({ status: 'complained', source: 'batch' })]);
  });
});

describe('double opt-in and one-click unsubscribe tokens', () => {
  it('confirmation makes the contact pending; its token subscribes it once, keeping the ip; a reuse is 409', async () => {
    const ctx = keyCtx();
    const contact = await contacts.create(ctx, contactInput({ subscription_status: 'unsubscribed' }));
    const { token, expires_at } = await consent.requestConfirmation(ctx, contact.id);
    expect(new Date(expires_at).getTime()).toBeGreaterThan(Date.now());
    expect((await contacts.get(ctx, contact.id)).subscription_status).toBe('pending');

    expect(await consent.confirm(token, '203.0.113.7')).toEqual({ contact_id: contact.id, subscription_status: 'subscribed' });
    expect((await contacts.get(ctx, contact.id)).subscription_status).toBe('subscribed');
    const history = (await consent.history(ctx, contact.id, {})).data;
    expect(history[0]).toMatchObject({ status: 'subscribed', source: 'double_opt_in', ip: '203.0.113.7', actor: 'contact' });
    expect(history[1]).toMatchObject({ status: 'pending', source: 'double_opt_in_requested', actor: 'api_key:key_test' });

    expect(await rejection(consent.confirm(token, null))).toMatchObject({ status: 409, code: 'token_used' });
    // A confirmation token is not an unsubscribe token.
    expect(await rejection(consent.unsubscribe(token, null))).toMatchObject({ status: 400, code: 'invalid_token' });
  });

  it('used by several callers at once, a confirmation token works exactly once', async () => {
    const ctx = keyCtx();
    const contact = await contacts.create(ctx, contactInput());
    const { token } = await consent.requestConfirmation(ctx, contact.id);
    const outcomes = await Promise.allSettled([consent.confirm(token, null), consent.confirm(token, null), consent.confirm(token, null)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(o.reason).toMatchObject({ code: 'token_used' });
    expect((await consent.history(ctx, contact.id, {})).data.map((h) => h.status)).toEqual(['subscribed', 'pending']);
  });

  it('an unsubscribe token is idempotent (RFC 8058): concurrent and repeated uses all answer unsubscribed, one change recorded; it works again after a re-subscription', async () => {
    const ctx = keyCtx();
    const contact = await contacts.create(ctx, contactInput());
    const { token } = await consent.unsubscribeToken(ctx, contact.id);
    const outcomes = await Promise.all([consent.unsubscribe(token, null), consent.unsubscribe(token, null), consent.unsubscribe(token, '198.51.100.4')]);
    for (const o of outcomes) expect(o).toEqual({ contact_id: contact.id, subscription_status: 'unsubscribed' });
    expect(await consent.unsubscribe(token, null)).toEqual({ contact_id: contact.id, subscription_status: 'unsubscribed' });
    expect((await contacts.get(ctx, contact.id)).subscription_status).toBe('unsubscribed');
    expect((await consent.history(ctx, contact.id, {})).data).toEqual([expect.objectContaining({ status: 'unsubscribed', source: 'one_click_unsubscribe' })]);

    // Subscribed again later, then the link of an older message clicked: the contact leaves again.
    await contacts.update(ctx, contact.id, { subscription_status: 'subscribed' });
    expect(await consent.unsubscribe(token, null)).toEqual({ contact_id: contact.id, subscription_status: 'unsubscribed' });
    // A stricter status is kept.
    await contacts.update(ctx, contact.id, { subscription_status: 'complained' });
    expect(await consent.unsubscribe(token, null)).toEqual({ contact_id: contact.id, subscription_status: 'complained' });
    expect((await consent.history(ctx, contact.id, {})).data.map((h) => h.status)).toEqual(['complained', 'unsubscribed', 'subscribed', 'unsubscribed']);
  });

  it('refuses forged, expired and other tenants’ tokens with a clear 400, changing nothing', async () => {
    const ctx = keyCtx();
    const contact = await contacts.create(ctx, contactInput());
    const { token } = await consent.unsubscribeToken(ctx, contact.id);
    const [body, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    const forged = `${Buffer.from(JSON.stringify({ ...claims, c: 'con_someone_else' })).toString('base64url')}.${sig}`;
    expect(await rejection(consent.unsubscribe(forged, null))).toMatchObject({ status: 400, code: 'invalid_token' });
    expect(await rejection(consent.unsubscribe(signToken('another-secret-of-at-least-32-characters', claims), null))).toMatchObject({ code: 'invalid_token' });
    const expired = signToken(SECRET, { ...claims, j: undefined, e: Math.floor(Date.now() / 1000) - 1 });
    expect(await rejection(consent.unsubscribe(expired, null))).toMatchObject({ status: 400, code: 'token_expired' });
    // Genuinely signed, but for this contact id in another tenant: no such contact there.
    const otherTenant = signToken(SECRET, { ...claims, j: undefined, t: testContext().tenant_id });
    expect(await rejection(consent.unsubscribe(otherTenant, null))).toMatchObject({ status: 400, code: 'invalid_token' });
    const otherMode = signToken(SECRET, { ...claims, j: undefined, m: 'test' });
    expect(await rejection(consent.unsubscribe(otherMode, null))).toMatchObject({ status: 400, code: 'invalid_token' });
    expect((await contacts.get(ctx, contact.id)).subscription_status).toBe('subscribed');
    // Another tenant cannot even ask for a token of this contact.
    expect((await rejection(consent.unsubscribeToken(testContext(), contact.id))).status).toBe(404);
    expect((await rejection(consent.requestConfirmation(testContext(), contact.id))).status).toBe(404);
  });
});

describe('suppressions', () => {
  it('by email: the contact reads suppressed, gets contact.updated with a new version; removal reverts', async () => {
    const ctx = testContext();
    const contact = await contacts.create(ctx, contactInput({ email: 'Blocked@Example.org' }));
    const other = await contacts.create(ctx, contactInput({ email: 'fine@example.org' }));
    const sup = await suppressions.create(ctx, { email: 'blocked@example.org', reason: 'hard bounce' });
    expect(sup).toMatchObject({ email: 'blocked@example.org', domain: null, reason: 'hard bounce' });
    expect(await contacts.get(ctx, contact.id)).toMatchObject({ suppressed: true, version: 2 });
    expect(await contacts.get(ctx, other.id)).toMatchObject({ suppressed: false, version: 1 });
    const dup = await rejection(suppressions.create(ctx, { email: 'blocked@example.org' }));
    expect(dup).toMatchObject({ status: 409 });
    expect(dup.extra['existing_id']).toBe(sup.id);

    await suppressions.delete(ctx, sup.id);
    expect(await contacts.get(ctx, contact.id)).toMatchObject({ suppressed: false, version: 3 });
    expect((await rejection(suppressions.delete(ctx, sup.id))).status).toBe(404);

    const events = (await eventsOf(ctx, 4)).filter((e) => e.type === 'contact.updated');
    expect(events.map((e) => e.data)).toEqual([
      { contact: expect.objectContaining({ id: contact.id, suppressed: true, version: 2 }), changed: ['suppressed'] },
      { contact: expect.objectContaining({ id: contact.id, suppressed: false, version: 3 }), changed: ['suppressed'] },
    ]);
  });

  it('by domain: every contact of the domain (not of its subdomains or look-alikes), and contacts created later', async () => {
    const ctx = testContext();
    const a = await contacts.create(ctx, contactInput({ email: 'a@spam.test' }));
    const b = await contacts.create(ctx, contactInput({ email: 'b@SPAM.test' }));
    const sub = await contacts.create(ctx, contactInput({ email: 'c@mail.spam.test' }));
    const alike = await contacts.create(ctx, contactInput({ email: 'd@notspam.test' }));
    const input = await validatedRequest(ContactRpc.createSuppression, { body: { domain: ' Spam.Test ', reason: 'complaints' } });
    const sup = await suppressions.create(ctx, input.body);
    expect(sup.domain).toBe('spam.test');
    for (const c of [a, b]) expect((await contacts.get(ctx, c.id)).suppressed).toBe(true);
    for (const c of [sub, alike]) expect((await contacts.get(ctx, c.id)).suppressed).toBe(false);
    expect((await contacts.create(ctx, contactInput({ email: 'e@spam.test' }))).suppressed).toBe(true);
    const batched = await batch.upsert(ctx, { contacts: [{ email: 'f@spam.test' }] });
    expect((await contacts.get(ctx, batched.results[0]!.id!)).suppressed).toBe(true);
    // Moving the contact out of the domain lifts it.
    expect(await contacts.update(ctx, a.id, { email: 'a@clean.test' })).toMatchObject({ suppressed: false });

    // Listed for its own tenant only; invisible and undeletable for another.
    expect((await suppressions.list(ctx, {})).data.map((s) => s.id)).toEqual([sup.id]);
    expect((await suppressions.list(testContext(), {})).data).toEqual([]);
    expect((await rejection(suppressions.delete(testContext(), sup.id))).status).toBe(404);
    expect((await rejection(suppressions.delete({ ...ctx, mode: 'test' }, sup.id))).status).toBe(404);
  });

  it('announces a domain suppression in bounded windows, one short transaction each, one contact.updated per contact; a walk cut short resumes', async () => {
    const ctx = testContext();
    // Ten contacts, every other one in the domain: windows of three contacts each make four transactions.
    const all = [];
    for (let i = 0; i < 10; i++) all.push(await contacts.create(ctx, contactInput({ email: `c${i}@${i % 2 ? 'walk.test' : 'other.test'}` })));
    const inDomain = all.filter((_, i) => i % 2);
    const sup = await suppressions.create(ctx, { domain: 'walk.test' });
    await eventually(async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM suppression_announcements WHERE tenant_id = $1`, [ctx.tenant_id]))[0].n === 0);
    const rows: { id: string; version: number; xid: string }[] = await h.dataSource.query(
      `SELECT id, version, sync_xid::text AS xid FROM contacts WHERE tenant_id = $1 ORDER BY id`,
      [ctx.tenant_id],
    );
    expect(rows.filter((r) => r.version === 2).map((r) => r.id)).toEqual(inDomain.map((c) => c.id).sort());
    // Not one transaction over the tenant's contacts: each window committed on its own.
    expect(new Set(rows.filter((r) => r.version === 2).map((r) => r.xid)).size).toBeGreaterThanOrEqual(2);
    const events = (await eventsOf(ctx, 10 + 5)).filter((e) => e.type === 'contact.updated');
    expect(events.map((e) => (e.data as { contact: { id: string } }).contact.id).sort()).toEqual(inDomain.map((c) => c.id).sort());
    for (const e of events) expect(e.data).toMatchObject({ contact: { suppressed: true, version: 2 }, changed: ['suppressed'] });

    // A walk a crash cut short after the fourth contact: the sweep finishes it, touching only the rest.
    await h.dataSource.query(`INSERT INTO suppression_announcements (id, tenant_id, mode, domain, after_id) VALUES ('sua_resume', $1, 'live', 'walk.test', $2)`, [
      ctx.tenant_id,
      all.map((c) => c.id).sort()[3],
    ]);
    await fanout.sweep();
    const after: { id: string; version: number }[] = await h.dataSource.query(`SELECT id, version FROM contacts WHERE tenant_id = $1 ORDER BY id`, [ctx.tenant_id]);
    const sortedIds = all.map((c) => c.id).sort();
    const inDomainIds = new Set(inDomain.map((c) => c.id));
    expect(after.map((r) => r.version)).toEqual(sortedIds.map((id, i) => (inDomainIds.has(id) ? (i > 3 ? 3 : 2) : 1)));
    expect((await h.dataSource.query(`SELECT count(*)::int AS n FROM suppression_announcements WHERE tenant_id = $1`, [ctx.tenant_id]))[0].n).toBe(0);

    // Removing it walks again: every contact of the domain reads unsuppressed, with a new version.
    await suppressions.delete(ctx, sup.id);
    await eventually(async () => (await h.dataSource.query(`SELECT count(*)::int AS n FROM suppression_announcements WHERE tenant_id = $1`, [ctx.tenant_id]))[0].n === 0);
    for (const c of inDomain) expect((await contacts.get(ctx, c.id)).suppressed).toBe(false);
  });

  it('refuses a body with both or neither of email and domain, or a bad domain', async () => {
    for (const body of [{}, { email: 'x@example.com', domain: 'example.com' }, { domain: 'not a domain' }, { domain: 'localhost' }]) {
      expect((await rejection(validatedRequest(ContactRpc.createSuppression, { body }))).status).toBe(400);
    }
  });
});
