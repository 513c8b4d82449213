/** Webhooks: endpoints, secrets, test events and the delivery log; one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { Delivery, DeliveryDetail, Webhook, WebhookWithSecret } from './types';

/** One subscribable event type of the catalogue (`GET /v1/event-types`). */
export interface EventType {
  type: string;
  description: string;
}

/** The event catalogue an endpoint can filter on, besides `*` and `<family>.*`: from the API, so new types appear by themselves. */
export function listEventTypes(): Promise<EventType[]> {
  return call<EventType[]>(() => api.webhooks.eventTypes());
}

export function listWebhooks(): Promise<Envelope<Webhook[]>> {
  return onePage<Webhook>(() => api.webhooks.list({ limit: 100 }));
}

export function createWebhook(input: { url: string; events: string[]; description?: string }): Promise<WebhookWithSecret> {
  return call<WebhookWithSecret>(() => api.webhooks.create(input));
}

export function updateWebhook(id: string, input: { enabled?: boolean }): Promise<Webhook> {
  return call<Webhook>(() => api.webhooks.update(id, input));
}

export function deleteWebhook(id: string): Promise<void> {
  return call<void>(() => api.webhooks.delete(id));
}

export function rotateWebhookSecret(id: string): Promise<WebhookWithSecret> {
  return call<WebhookWithSecret>(() => api.webhooks.rotateSecret(id));
}

export function sendTestEvent(id: string): Promise<unknown> {
  return call<unknown>(() => api.webhooks.sendTest(id));
}

export function listDeliveries(id: string, page = 1): Promise<Envelope<Delivery[]>> {
  return onePage<Delivery>(() => api.webhooks.deliveries(id, { page, limit: 25 }));
}

export function getDelivery(id: string, deliveryId: string): Promise<DeliveryDetail> {
  return call<DeliveryDetail>(() => api.webhooks.getDelivery(id, deliveryId));
}

export function retryDelivery(id: string, deliveryId: string): Promise<unknown> {
  return call<unknown>(() => api.webhooks.retryDelivery(id, deliveryId));
}

/** Starts a background recovery; it answers at once with `total`, the failed or skipped deliveries it will send again. */
export function recoverWebhook(id: string, since: string): Promise<{ id: string; status: string; total: number }> {
  return call<{ id: string; status: string; total: number }>(() => api.webhooks.recover(id, { since }));
}
