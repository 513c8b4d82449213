/**
 * Fan-out of one domain event: record it in the inbox (once per event id),
 * create one delivery per matching enabled endpoint of its tenant and mode,
 * and queue a job per pending delivery of the event. Resolves only once the
 * jobs are in Redis, so the Kafka offset is committed after that; a
 * redelivered event finds its deliveries already there and re-queues them
 * under the same job ids (a no-op), never creating a second delivery.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { filtersMatching, type DomainEvent } from '@sigil/contracts';
import { newId } from '@sigil/platform';
import { DeliveryQueue, type DeliveryJobData } from '../delivery/delivery-queue';
import { webhookBody } from '../delivery/delivery.row';

export const FANOUT_CONSUMER = 'webhooks.fanout';

@Injectable()
export class FanoutService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
  ) {}

  /** Returns the jobs queued for this event. */
  async accept(event: DomainEvent): Promise<DeliveryJobData[]> {
    const jobs = await this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.id, event.tenant_id, event.mode, event.type, event.occurred_at],
      )) as unknown[];
      if (inserted.length) {
        const endpoints = (await manager.query(
          `SELECT id FROM webhook_endpoints WHERE tenant_id = $1 AND mode = $2 AND enabled AND events && $3::text[]`,
          [event.tenant_id, event.mode, filtersMatching(event.type)],
        )) as { id: string }[];
        if (endpoints.length) {
          const body = webhookBody({ id: event.id, type: event.type, created_at: event.occurred_at, data: event.data });
          await manager.query(
            `INSERT INTO webhook_deliveries (id, tenant_id, mode, endpoint_id, event_id, event_type, body, next_attempt_at)
             SELECT unnest($1::text[]), $2, $3, unnest($4::text[]), $5, $6, $7, now()
             ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
            [endpoints.map(() => newId('msg')), event.tenant_id, event.mode, endpoints.map((e) => e.id), event.id, event.type, body],
          );
        }
      }
      return (await manager.query(
        `SELECT id AS delivery_id, generation FROM webhook_deliveries WHERE event_id = $1 AND status = 'pending'`,
        [event.id],
      )) as DeliveryJobData[];
    });
    await this.queue.enqueue(jobs);
    return jobs;
  }
}
