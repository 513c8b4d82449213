/**
 * `verifyWebhook(payload, headers, secret)`: checks a delivery's Standard
 * Webhooks signature (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, secret `whsec_…`) with the reference `standardwebhooks`
 * library (constant-time comparison, 5-minute timestamp tolerance, any of
 * several signatures during a secret rotation) and returns the parsed event.
 * Pass the raw body exactly as received: re-serialised JSON does not verify.
 */
import { Webhook, WebhookVerificationError as LibraryVerificationError } from 'standardwebhooks';
import { WebhookVerificationError } from './errors';

export interface WebhookEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  created_at: string;
  data: T;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function lowerCased(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, string | string[] | undefined]> =
    typeof (headers as Headers).entries === 'function' && typeof (headers as Headers).get === 'function'
      ? (headers as Headers).entries()
      : Object.entries(headers as Record<string, string | string[] | undefined>);
  for (const [name, value] of entries) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(' ') : value;
  }
  return out;
}

export function verifyWebhook<T = Record<string, unknown>>(payload: string | Uint8Array, headers: WebhookHeaders, secret: string): WebhookEvent<T> {
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const h = lowerCased(headers);
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    if (!h[name]) throw new WebhookVerificationError(`Missing ${name} header.`);
  }
  try {
    return new Webhook(secret).verify(body, {
      'webhook-id': h['webhook-id']!,
      'webhook-timestamp': h['webhook-timestamp']!,
      'webhook-signature': h['webhook-signature']!,
    }) as WebhookEvent<T>;
  } catch (err) {
    if (err instanceof LibraryVerificationError) throw new WebhookVerificationError(err.message);
    throw new WebhookVerificationError(err instanceof Error ? err.message : 'Invalid webhook.');
  }
}
