/**
 * Kafka side of the read model: the contact-event topic, one consumer group
 * shared by replicas; the batches of the partitions fetched together are
 * applied in one transaction, transactions at least
 * `SEGMENTS_APPLY_INTERVAL_MS` apart under load (partition-batches.ts).
 */
import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventTopics, type DomainEvent } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { PartitionBatches } from './partition-batches';
import { READ_MODEL_CONSUMER, ReadModelService } from './read-model.service';

/** Least time between the starts of two read-model transactions, in ms (`SEGMENTS_APPLY_INTERVAL_MS`). */
export const READ_MODEL_APPLY_INTERVAL_MS = Symbol('READ_MODEL_APPLY_INTERVAL_MS');

@Injectable()
export class ReadModelConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, readModel: ReadModelService, @Optional() @Inject(READ_MODEL_APPLY_INTERVAL_MS) applyIntervalMs = 0) {
    const batches = new PartitionBatches<DomainEvent>((events) => readModel.applyBatch(events), 1000, applyIntervalMs);
    this.consumer = EventConsumer.batched({ kafka, group: READ_MODEL_CONSUMER, topics: [EventTopics.contacts] }, (events) => batches.submit(events));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
