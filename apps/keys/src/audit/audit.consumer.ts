/**
 * Records the audit log from every domain-event topic (one consumer group
 * shared by the keys replicas), a fetched batch per insert. At-least-once
 * delivery is exactly-once in the table: one row per event id.
 */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ALL_EVENT_TOPICS } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { DATA_PLANE_EVENTS } from './audit-entry';
import { AuditService } from './audit.service';

export const AUDIT_CONSUMER = 'keys.audit';

@Injectable()
export class AuditConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, audit: AuditService) {
    // Data-plane events (a contact created, a tag changed…) are never audited: passed over by their
    // header, unparsed — the audit consumer reads every write's event (docs/performance.md, session 8).
    const settings = { kafka, group: AUDIT_CONSUMER, topics: [...ALL_EVENT_TOPICS], ignoreTypes: DATA_PLANE_EVENTS };
    this.consumer = EventConsumer.batched(settings, async (events) => {
      await audit.record(events);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
