/**
 * Webhook signature replay: a real delivery, captured at a local receiver, is
 * accepted by the documented verifier (the off-the-shelf `standardwebhooks`
 * library) when it arrives, and rejected when the same bytes are replayed
 * outside the timestamp tolerance (5 minutes) — and re-stamping the copy with
 * a fresh timestamp breaks the signature. The stack allows loopback targets
 * (the receiver is local); SSRF refusals without an allow-list are in
 * security.e2e-spec.ts.
 */
import { Webhook } from 'standardwebhooks';
import { contactInput, createTenant, TestStack, WebhookReceiver } from '@sigil/testing';

describe('security: webhook signature replay', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    stack = await TestStack.start({
      services: ['keys', 'contacts', 'webhooks', 'gateway'],
      serviceEnv: { webhooks: { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8' } },
    });
  });

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('rejects a captured delivery replayed outside the tolerance, and a re-stamped copy', async () => {
    const tenant = await createTenant(stack.gatewayUrl);
    const endpoint = await tenant.api.post('/v1/webhooks', { url: receiver.url('/replay'), events: ['contact.created'] });
    expect(endpoint.status).toBe(201);
    const secret: string = endpoint.body.data.secret;
    expect((await tenant.api.post('/v1/contacts', contactInput())).status).toBe(201);
    const [delivery] = await receiver.waitFor('/replay', (all) => all.length > 0, 60_000);
    const { body, headers } = delivery!;
    const verifier = new Webhook(secret);

    expect(() => verifier.verify(body, headers)).not.toThrow();

    const sentAt = Number(headers['webhook-timestamp']) * 1000;
    const clock = jest.spyOn(Date, 'now');
    try {
      clock.mockReturnValue(sentAt + 4 * 60_000);
      expect(() => verifier.verify(body, headers)).not.toThrow();
      clock.mockReturnValue(sentAt + 6 * 60_000);
      expect(() => verifier.verify(body, headers)).toThrow(/timestamp too old/);
      const restamped = { ...headers, 'webhook-timestamp': String(Math.floor((sentAt + 6 * 60_000) / 1000)) };
      expect(() => verifier.verify(body, restamped)).toThrow(/signature/i);
    } finally {
      clock.mockRestore();
    }
  });
});
