/**
 * Listens to key events in a consumer group of its own (every replica sees
 * every event) and evicts the key from the caches, so revocation, rotation
 * and scope changes take effect at every replica within a second.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EventTopics } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { CredentialCache } from './credential-cache';

const EVICTING = new Set(['api_key.revoked', 'api_key.rotated', 'api_key.updated']);

@Injectable()
export class KeyCacheInvalidator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KeyCacheInvalidator');
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, cache: CredentialCache) {
    const group = `gateway.keycache.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
    this.consumer = new EventConsumer({ kafka, group, topics: [EventTopics.keys], fromBeginning: false }, async (event) => {
      if (!EVICTING.has(event.type)) return;
      const { id } = event.data as { id: string };
      await cache.evict(id);
      this.logger.debug(`evicted ${id} after ${event.type}`);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
