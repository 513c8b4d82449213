/**
 * Listens to key events in a consumer group of its own (every replica sees
 * every event) and evicts the key from the caches, so revocation, rotation
 * and scope changes take effect at every replica within a second. Operator
 * plan changes and member role changes and removals go to AccessState, which
 * applies them on top of the credentials already issued.
 *
 * Its handler runs without an AsyncLocalStorage context (`ambientContext:
 * false`): nothing else in the gateway enters one when no spans are recorded
 * (http-tracing.ts), and the first one entered would put a promise hook on
 * every promise of the process. Its log line names the event itself.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EventTopics, type EventPayloads } from '@sigil/contracts';
import { EventConsumer, KAFKA_SETTINGS, type KafkaSettings } from '@sigil/platform';
import { AccessState } from './access-state';
import { CredentialCache } from './credential-cache';

const EVICTING = new Set(['api_key.revoked', 'api_key.rotated', 'api_key.updated']);

@Injectable()
export class KeyCacheInvalidator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KeyCacheInvalidator');
  private readonly consumer: EventConsumer;

  constructor(@Inject(KAFKA_SETTINGS) kafka: KafkaSettings, cache: CredentialCache, access: AccessState) {
    const group = `gateway.keycache.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`;
    this.consumer = new EventConsumer({ kafka, group, topics: [EventTopics.keys], fromBeginning: false, ambientContext: false }, async (event) => {
      const at = Date.parse(event.occurred_at);
      if (EVICTING.has(event.type)) {
        const { id } = event.data as { id: string };
        await cache.evict(id);
        this.logger.debug({ msg: `evicted ${id} after ${event.type}`, event_id: event.id, tenant_id: event.tenant_id });
      } else if (event.type === 'tenant.plan_changed') {
        const data = event.data as EventPayloads['tenant.plan_changed'];
        await access.tenantChanged(event.tenant_id, { plan: data.plan, limits: data.limits, at });
      } else if (event.type === 'member.role_changed') {
        const data = event.data as EventPayloads['member.role_changed'];
        await access.memberChanged(event.tenant_id, data.user_id, { role: data.role, at });
      } else if (event.type === 'member.removed') {
        const data = event.data as EventPayloads['member.removed'];
        const memberSince = data.member_since ? Date.parse(data.member_since) : undefined;
        await access.memberChanged(event.tenant_id, data.user_id, {
          role: null,
          at,
          removed: { at, ...(memberSince !== undefined ? { member_since: memberSince } : {}) },
        });
      } else if (event.type === 'member.joined') {
        // A member re-added after a removal: the new membership's tokens are trusted; the ended one's stay dead.
        const data = event.data as EventPayloads['member.joined'];
        await access.memberChanged(event.tenant_id, data.user_id, { role: data.role, at });
      }
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
