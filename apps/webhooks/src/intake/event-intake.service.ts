/** Takes in every domain event once (idempotent on event id) and records it in the inbox. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DomainEvent } from '@sigil/contracts';
import { processOnce } from '@sigil/platform';

export const INTAKE_CONSUMER = 'webhooks.intake';

@Injectable()
export class EventIntakeService {
  constructor(private readonly dataSource: DataSource) {}

  async accept(event: DomainEvent): Promise<boolean> {
    return processOnce(this.dataSource, INTAKE_CONSUMER, event.id, async (manager) => {
      await manager.query(
        `INSERT INTO event_inbox (event_id, tenant_id, mode, type, occurred_at) VALUES ($1, $2, $3, $4, $5)`,
        [event.id, event.tenant_id, event.mode, event.type, event.occurred_at],
      );
    });
  }
}
