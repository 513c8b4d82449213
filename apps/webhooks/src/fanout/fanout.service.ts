/**
 * Fan-out of domain events (a consumed batch at a time): record each in the
 * inbox (once per event id), store its body once (if any endpoint gets it),
 * create one delivery per matching endpoint of
 * its tenant and mode — `skipped` for a disabled endpoint, so `recover` can
 * send it after re-enabling — and queue a job per pending delivery. Resolves only once the
 * jobs are in Redis, so the Kafka offset is committed after that; a
 * redelivered event finds its deliveries already there and re-queues them
 * under the same job ids (a no-op), never creating a second delivery. An
 * endpoint deleted while a batch is fanned out gets none of its deliveries
 * (FanoutRepository.insertDeliveries); the batch goes on for the others.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { filtersMatching, type DomainEvent } from '@sigil/contracts';
import { newId, scopeOf } from '@sigil/platform';
import { DeliveryQueue, type DeliveryJobData } from '../delivery/delivery-queue';
import { webhookBody } from '../delivery/delivery.row';
import { contactOf } from './event-contact';
import { FanoutRepository, type NewDelivery, type NewEventBody } from './fanout.repository';

export const FANOUT_CONSUMER = 'webhooks.fanout';

@Injectable()
export class FanoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: FanoutRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Returns the jobs queued for this event. */
  async accept(event: DomainEvent): Promise<DeliveryJobData[]> {
    return this.acceptBatch([event]);
  }

  /**
   * The fan-out of a batch of events in one transaction: one inbox insert,
   * one look-up of the endpoints of the tenants involved, one insert
   * of every delivery, one read of the pending ones, one bulk enqueue.
   */
  async acceptBatch(events: DomainEvent[]): Promise<DeliveryJobData[]> {
    if (!events.length) return [];
    const jobs = await this.dataSource.transaction(async (manager) => {
      const fresh = await this.repository.recordInbox(manager, events);
      const newEvents = events.filter((e) => fresh.delete(e.id)); // once each, even if the batch repeats one
      if (newEvents.length) await this.createDeliveries(manager, newEvents);
      return this.repository.pendingJobs(manager, [...new Set(events.map((e) => e.id))]);
    });
    await this.queue.enqueue(jobs);
    return jobs;
  }

  /** One delivery per (event, endpoint of its tenant and mode whose filters match its type); disabled endpoints' are `skipped`. */
  private async createDeliveries(manager: EntityManager, events: DomainEvent[]): Promise<void> {
    const scopes = [...new Map(events.map((e) => [`${e.tenant_id} ${e.mode}`, scopeOf(e)])).values()];
    const endpoints = await this.repository.subscribers(manager, scopes);
    if (!endpoints.length) return;
    const rows: NewDelivery[] = [];
    // One stored body per event, however many endpoints receive it.
    const bodies: NewEventBody[] = [];
    for (const event of events) {
      const filters = new Set(filtersMatching(event.type));
      // An endpoint never gets the attempt_exhausted of its own deliveries: a failing endpoint would feed itself forever.
      const about = event.type === 'webhook.attempt_exhausted' ? (event.data as { endpoint_id?: string }).endpoint_id : undefined;
      const matching = endpoints.filter((ep) => ep.tenant_id === event.tenant_id && ep.mode === event.mode && ep.id !== about && ep.events.some((f) => filters.has(f)));
      if (!matching.length) continue;
      bodies.push({
        event_id: event.id,
        tenant_id: event.tenant_id,
        body: webhookBody({ id: event.id, type: event.type, created_at: event.occurred_at, data: event.data }),
      });
      const contact_id = contactOf(event.type, event.data);
      for (const ep of matching) {
        const status = ep.enabled ? 'pending' : 'skipped';
        rows.push({ id: newId('msg'), tenant_id: event.tenant_id, mode: event.mode, endpoint_id: ep.id, event_id: event.id, event_type: event.type, status, contact_id });
      }
    }
    // In the batch's order (the order the events arrived in): a contact's order on a per_contact endpoint.
    if (rows.length) await this.repository.insertDeliveries(manager, rows, bodies);
  }
}
