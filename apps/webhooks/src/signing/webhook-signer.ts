/**
 * Signs webhook deliveries per the Standard Webhooks specification
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` — one
 * entry per active secret, space-separated, during a rotation) and the older
 * `X-Signature: t=<ts>,v1=<hex>` convention. Secrets are `whsec_<base64>`;
 * the HMAC key is the base64-decoded part.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function standardSignature(secret: string, msgId: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${msgId}.${timestamp}.${body}`).digest('base64')}`;
}

export function legacySignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(`${timestamp}.${body}`).digest('hex');
}

/** The signature headers of one attempt; `secrets` are the active ones, newest first. */
export function signatureHeaders(secrets: readonly string[], msgId: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => standardSignature(s, msgId, timestamp, body)).join(' '),
    'x-signature': [`t=${timestamp}`, ...secrets.map((s) => `v1=${legacySignature(s, timestamp, body)}`)].join(','),
  };
}
