/** `/v1/webhooks`: endpoints, secrets, test events and the delivery log. One function per operation. */
import { request, requestEnvelope, type Envelope } from './http';
import type { Delivery, DeliveryDetail, Webhook, WebhookWithSecret } from './types';

/** The event catalogue (SPEC §8) an endpoint can filter on, besides `*` and `<family>.*`. */
export const EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.tags_changed',
  'contact.activity_recorded',
  'list.member_added',
  'list.member_removed',
  'segment.contact_entered',
  'segment.contact_exited',
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked',
  'webhook.endpoint_disabled',
] as const;

export function listWebhooks(): Promise<Envelope<Webhook[]>> {
  return requestEnvelope<Webhook[]>('GET', '/v1/webhooks', { query: { limit: 100 } });
}

export function createWebhook(input: { url: string; events: string[]; description?: string | null }): Promise<WebhookWithSecret> {
  return request<WebhookWithSecret>('POST', '/v1/webhooks', { body: input });
}

export function updateWebhook(id: string, input: { enabled?: boolean; events?: string[]; url?: string; description?: string | null }): Promise<Webhook> {
  return request<Webhook>('PATCH', `/v1/webhooks/${encodeURIComponent(id)}`, { body: input });
}

export function deleteWebhook(id: string): Promise<void> {
  return request<void>('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`);
}

export function rotateWebhookSecret(id: string): Promise<WebhookWithSecret> {
  return request<WebhookWithSecret>('POST', `/v1/webhooks/${encodeURIComponent(id)}/rotate-secret`, { body: {} });
}

export function sendTestEvent(id: string): Promise<unknown> {
  return request<unknown>('POST', `/v1/webhooks/${encodeURIComponent(id)}/test`, { body: {} });
}

export function listDeliveries(id: string, page = 1): Promise<Envelope<Delivery[]>> {
  return requestEnvelope<Delivery[]>('GET', `/v1/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { page, limit: 25 } });
}

export function getDelivery(id: string, deliveryId: string): Promise<DeliveryDetail> {
  return request<DeliveryDetail>('GET', `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}`);
}

export function retryDelivery(id: string, deliveryId: string): Promise<unknown> {
  return request<unknown>('POST', `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`, { body: {} });
}

export function recoverWebhook(id: string, since: string): Promise<{ recovered: number }> {
  return request<{ recovered: number }>('POST', `/v1/webhooks/${encodeURIComponent(id)}/recover`, { body: { since } });
}
