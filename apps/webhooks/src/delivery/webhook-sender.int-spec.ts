/**
 * The sender against a real local HTTP server: keep-alive reuse, the 4 KiB
 * response excerpt, no redirects followed, and SSRF refusals both for
 * address literals and for names that resolve to a private address when the
 * connection is made; names resolved by c-ares against a DNS server of the
 * test's own (an answer, NXDOMAIN, no answer at all), off libuv's thread pool,
 * within the attempt's deadline.
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { WebhookReceiver } from '@sigil/testing';
import { DnsStub } from '../test/dns-stub';
import { TargetPolicy } from './target-policy';
import { KEPT_RESPONSE_BYTES, WebhookSender } from './webhook-sender';

describe('WebhookSender', () => {
  let receiver: WebhookReceiver;
  const open = new WebhookSender(new TargetPolicy(true, ['127.0.0.0/8', '::1/128']), 1000, 4);
  const strict = new WebhookSender(new TargetPolicy(true, []), 1000, 4);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await Promise.all([open.close(), strict.close(), receiver.close()]);
  });

  it('keeps the first 4 KiB of a large response and reports the status', async () => {
    receiver.respond('/big', () => ({ status: 500, body: 'x'.repeat(200_000) }));
    const res = await open.send(receiver.url('/big'), {}, '{}');
    expect(res.statusCode).toBe(500);
    expect(res.responseBody).toHaveLength(KEPT_RESPONSE_BYTES);
    expect(res.error).toBeNull();
  });

  it('does not follow redirects', async () => {
    receiver.respond('/moved', () => ({ status: 302, headers: { location: receiver.url('/target') } }));
    const res = await open.send(receiver.url('/moved'), {}, '{}');
    expect(res.statusCode).toBe(302);
    expect(receiver.received('/target')).toHaveLength(0);
  });

  it('reads Retry-After on 503', async () => {
    receiver.respond('/busy', () => ({ status: 503, headers: { 'retry-after': '7' } }));
    const res = await open.send(receiver.url('/busy'), {}, '{}');
    expect(res.retryAfterMs).toBe(7000);
  });

  it('refuses private targets: an address literal, and a name resolving to loopback at connect time', async () => {
    const literal = await strict.send(receiver.url('/ssrf'), {}, '{}');
    expect(literal.error).toMatch(/^refused: 127\.0\.0\.1 is a private/);
    const byName = await strict.send(`http://localhost:${receiver.port}/ssrf`, {}, '{}');
    expect(byName.statusCode).toBeNull();
    expect(byName.error).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1)/);
    const mapped = await strict.send(`http://[::ffff:127.0.0.1]:${receiver.port}/ssrf`, {}, '{}');
    expect(mapped.error).toMatch(/^refused/);
    expect(receiver.received('/ssrf')).toHaveLength(0);
  });

  describe('names, resolved against a DNS server of the test', () => {
    let dns: DnsStub;
    beforeAll(async () => {
      dns = await DnsStub.start({ 'hooks.example.test': ['127.0.0.1'] }, (name) => name.startsWith('silent'));
    });
    afterAll(() => dns.close());
    const senders: WebhookSender[] = [];
    // DNS gives up on a name after one try of 300 ms (c-ares: 0.5-1.2 s in practice), well within the attempt's 10 s.
    const sender = (allowed: string[]) => {
      const s = new WebhookSender(new TargetPolicy(true, allowed, { servers: [dns.server], timeoutMs: 300, tries: 1 }), 10_000, 4);
      senders.push(s);
      return s;
    };
    afterAll(() => Promise.all(senders.map((s) => s.close())));

    it('connects to the address the name has, and refuses it when it is private', async () => {
      receiver.respond('/named', () => ({ status: 204 }));
      const res = await sender(['127.0.0.0/8']).send(`http://hooks.example.test:${receiver.port}/named`, {}, '{}');
      expect(res).toMatchObject({ statusCode: 204, error: null });
      expect(dns.queries).toEqual(expect.arrayContaining(['hooks.example.test A', 'hooks.example.test AAAA']));
      const refused = await sender([]).send(`http://hooks.example.test:${receiver.port}/named`, {}, '{}');
      expect(refused.error).toBe('refused: hooks.example.test resolves to 127.0.0.1, a private, loopback or reserved address');
      expect(receiver.received('/named')).toHaveLength(1);
    });

    it("reports an unknown name, and a name the server never answers, as the resolver's error", async () => {
      const unknown = await sender(['127.0.0.0/8']).send(`http://nowhere.example.test:${receiver.port}/x`, {}, '{}');
      expect(unknown.error).toMatch(/^ENOTFOUND: /);
      const silent = await sender(['127.0.0.0/8']).send(`http://silent.example.test:${receiver.port}/x`, {}, '{}');
      expect(silent.error).toMatch(/^ETIMEOUT: /);
    });

    it('ends an attempt at its deadline even while the name is still being resolved', async () => {
      // The resolver would give up after 3 s (ETIMEOUT), the agent's connect timeout after 10 s (the service's
      // timeout); the endpoint's own 300-ms deadline comes first.
      const slowDns = new WebhookSender(new TargetPolicy(true, ['127.0.0.0/8'], { servers: [dns.server], timeoutMs: 3000, tries: 1 }), 10_000, 4);
      senders.push(slowDns);
      const res = await slowDns.send(`http://silent-deadline.example.test:${receiver.port}/x`, {}, '{}', 300);
      expect(res).toMatchObject({ statusCode: null, error: 'timed out after 300 ms' });
    });

    it("waits for unanswered names off libuv's thread pool, which other work keeps using meanwhile", async () => {
      // getaddrinfo (dns.lookup) holds one of the pool's 4 threads per name until the system resolver gives up
      // (5 s a try): 8 unanswered names would hold every thread, and the pbkdf2 below would wait for them.
      const policy = new TargetPolicy(true, [], { servers: [dns.server], timeoutMs: 3000, tries: 1 });
      let settled = 0;
      const lookups = Array.from({ length: 8 }, (_, i) =>
        policy.resolve(`silent-${i}.example.test`).then(
          () => settled++,
          () => settled++,
        ),
      );
      await promisify(pbkdf2)('password', 'salt', 1, 32, 'sha256');
      expect(settled).toBe(0);
      await Promise.all(lookups);
      expect(settled).toBe(8);
    });
  });
});
