/**
 * The sender against a real local HTTP server: keep-alive reuse, the 4 KiB
 * response excerpt, no redirects followed, and SSRF refusals both for
 * address literals and for names that resolve to a private address when the
 * connection is made.
 */
import { WebhookReceiver } from '@sigil/testing';
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
});
