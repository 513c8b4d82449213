/** Kafka side of the fan-out: every domain-event topic, one consumer group shared by replicas. */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ALL_EVENT_TOPICS } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { FANOUT_CONSUMER, FanoutService } from './fanout.service';

@Injectable()
export class FanoutConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, fanout: FanoutService) {
    this.consumer = EventConsumer.batched({ kafka, group: FANOUT_CONSUMER, topics: [...ALL_EVENT_TOPICS] }, async (events) => {
      await fanout.acceptBatch(events);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
