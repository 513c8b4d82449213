import { Webhook } from 'standardwebhooks';
import { generateSecret, legacySignature, signatureHeaders, standardSignature } from './webhook-signer';

describe('webhook signer', () => {
  // The Standard Webhooks specification's published example.
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };

  it('matches the Standard Webhooks reference vector', () => {
    expect(standardSignature(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
  });

  it('computes the X-Signature HMAC over "{timestamp}.{body}" in hex with the decoded secret', () => {
    // Computed independently: echo -n '1614265330.{"test": 2432232314}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<decoded secret>
    expect(legacySignature(vector.secret, vector.timestamp, vector.body)).toBe('e96203c6de850e7dc1fde7489ef6140b402d3a5a64fe250cd2eef9830fac1cef');
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it('produces headers that the standardwebhooks library verifies, for each secret during a rotation', () => {
    const [next, previous] = [generateSecret(), generateSecret()];
    const body = JSON.stringify({ id: 'evt_1', type: 'contact.created', created_at: new Date().toISOString(), data: {} });
    const headers = signatureHeaders([next, previous], 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(next).verify(body, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    expect(headers['x-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
  });
});
