/** Webhooks: endpoints, secrets, test events and the delivery log; one function per operation, through `@sigil/sdk`. */
import { api, call, onePage, type Envelope } from './http';
import type { Delivery, DeliveryDetail, DeliveryStatus, Recovery, StatsWindow, Webhook, WebhookPolicy, WebhookStats, WebhookWithSecret } from './types';

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

/** Policy fields left out take the service's defaults; `headers` values are write-only (never shown again). */
export function createWebhook(input: { url: string; events: string[]; description?: string } & Partial<WebhookPolicy>): Promise<WebhookWithSecret> {
  return call<WebhookWithSecret>(() => api.webhooks.create(input));
}

/** A policy field set to null goes back to the default; `headers` replaces every custom header (null removes them). */
export function updateWebhook(id: string, input: { enabled?: boolean } & Partial<WebhookPolicy>): Promise<Webhook> {
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

export function listDeliveries(id: string, page = 1, status?: DeliveryStatus): Promise<Envelope<Delivery[]>> {
  return onePage<Delivery>(() => api.webhooks.deliveries(id, { page, limit: 25, ...(status ? { status } : {}) }));
}

export function getWebhookStats(id: string, window: StatsWindow): Promise<WebhookStats> {
  return call<WebhookStats>(() => api.webhooks.stats(id, { window }));
}

export function getDelivery(id: string, deliveryId: string): Promise<DeliveryDetail> {
  return call<DeliveryDetail>(() => api.webhooks.getDelivery(id, deliveryId));
}

export function retryDelivery(id: string, deliveryId: string): Promise<unknown> {
  return call<unknown>(() => api.webhooks.retryDelivery(id, deliveryId));
}

/** Starts a background recovery of `[since, until)`; it answers at once with `total`, the failed or skipped deliveries it will send again. */
export function recoverWebhook(id: string, since: string, until?: string): Promise<Recovery> {
  return call<Recovery>(() => api.webhooks.recover(id, { since, ...(until ? { until } : {}) }));
}

/** A recovery's progress: `recovered` of `total`, `running` then `completed`. */
export function getRecovery(id: string, recoveryId: string): Promise<Recovery> {
  return call<Recovery>(() => api.webhooks.getRecovery(id, recoveryId));
}
