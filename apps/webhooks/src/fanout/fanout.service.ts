/**
 * Fan-out of domain events (a consumed batch at a time): record each event of
 * a tenant and mode that has endpoints in the inbox (once per event id; the
 * others are done with), store its body once (if any endpoint gets it),
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
import { FanoutRepository, type NewDelivery, type NewEventBody, type Subscriber } from './fanout.repository';

export const FANOUT_CONSUMER = 'webhooks.fanout';

/** A tenant and mode, as one string. */
function scopeKey(x: { tenant_id: string; mode: string }): string {
  return `${x.tenant_id} ${x.mode}`;
}

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
   * The fan-out of a batch of events: one look-up of the endpoints of the
   * tenants involved; then, for the events of a tenant and mode that has any,
   * in one transaction: one inbox insert, one insert of every delivery, one
   * read of the pending ones, one bulk enqueue. An event of a scope without
   * endpoints costs nothing more — no inbox row, no transaction: the inbox
   * only tells a redelivered event from a new one so it gets no second
   * delivery, and such an event has none to get (most events of an import:
   * the inbox row, its index entries and three statements per batch were
   * most of this consumer's cost in a 200 000-row import, issue #16).
   */
  async acceptBatch(events: DomainEvent[]): Promise<DeliveryJobData[]> {
    if (!events.length) return [];
    const scopes = [...new Map(events.map((e) => [scopeKey(e), scopeOf(e)])).values()];
    const endpoints = await this.repository.subscribers(this.dataSource.manager, scopes);
    if (!endpoints.length) return [];
    const served = new Set(endpoints.map(scopeKey));
    const relevant = events.filter((e) => served.has(scopeKey(e)));
    if (!relevant.length) return [];
    const jobs = await this.dataSource.transaction(async (manager) => {
      const fresh = await this.repository.recordInbox(manager, relevant);
      const newEvents = relevant.filter((e) => fresh.delete(e.id)); // once each, even if the batch repeats one
      if (newEvents.length) await this.createDeliveries(manager, newEvents, endpoints);
      return this.repository.pendingJobs(manager, [...new Set(relevant.map((e) => e.id))]);
    });
    await this.queue.enqueue(jobs);
    return jobs;
  }

  /** One delivery per (event, endpoint of its tenant and mode whose filters match its type); disabled endpoints' are `skipped`. */
  private async createDeliveries(manager: EntityManager, events: DomainEvent[], endpoints: readonly Subscriber[]): Promise<void> {
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
