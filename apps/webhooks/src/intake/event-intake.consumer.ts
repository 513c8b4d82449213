/** Kafka side of the intake: every domain-event topic, one consumer group shared by replicas. */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ALL_EVENT_TOPICS } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { EventIntakeService, INTAKE_CONSUMER } from './event-intake.service';

@Injectable()
export class EventIntakeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, intake: EventIntakeService) {
    this.consumer = new EventConsumer({ kafka, group: INTAKE_CONSUMER, topics: [...ALL_EVENT_TOPICS] }, async (event) => {
      await intake.accept(event);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
