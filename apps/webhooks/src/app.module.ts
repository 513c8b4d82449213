/** The webhooks service: endpoints and their secrets, fan-out of every domain event, signed deliveries with retries. */
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { HealthPatterns } from '@sigil/contracts';
import { REDIS, RedisModule, ServicePlatformModule, redisCheck, type KafkaSettings } from '@sigil/platform';
import { QueueBoard } from './admin/queue-board';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from './config';
import { DeliveriesRepository } from './delivery/deliveries.repository';
import { DeliveriesService } from './delivery/deliveries.service';
import { ContactOrdering } from './delivery/contact-ordering';
import { ContactOrderingRepository } from './delivery/contact-ordering.repository';
import { DeliveryAttemptService } from './delivery/delivery-attempt.service';
import { DeliveryAttemptsRepository } from './delivery/delivery-attempts.repository';
import { deliveryJobId, DeliveryQueue } from './delivery/delivery-queue';
import { DeliveryReconciler } from './delivery/delivery-reconciler';
import { DeliveryReconcilerRepository } from './delivery/delivery-reconciler.repository';
import { RecoveriesRepository } from './delivery/recoveries.repository';
import { RecoveriesService } from './delivery/recoveries.service';
import { EndpointConcurrency, SLOT_LEASE_MS } from './delivery/endpoint-concurrency';
import { EndpointRateLimit } from './delivery/endpoint-rate-limit';
import { RetrySchedule } from './delivery/retry-schedule';
import { TargetPolicy } from './delivery/target-policy';
import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor';
import { WebhookSender } from './delivery/webhook-sender';
import { EndpointsRepository } from './endpoints/endpoints.repository';
import { EndpointsService } from './endpoints/endpoints.service';
import { WebhooksHandlers } from './endpoints/webhooks.handlers';
import { FanoutConsumer } from './fanout/fanout.consumer';
import { FanoutRepository } from './fanout/fanout.repository';
import { FanoutService } from './fanout/fanout.service';
import { webhooksMigrations } from './migrations';
import { WebhookRetention } from './retention/webhook-retention';
import { WebhookRetentionRepository } from './retention/webhook-retention.repository';
import { EndpointSecrets } from './secrets/endpoint-secrets';
import { EndpointSecretsRepository } from './secrets/endpoint-secrets.repository';
import { SecretKeyring } from './secrets/secret-keyring';

/**
 * The connection of the per-delivery Redis scripts (endpoint slots, throttle): auto-pipelined, so the calls of
 * every delivery that reaches that point in one tick go out in one write (one syscall, not one each).
 */
const DELIVERY_REDIS = Symbol('DELIVERY_REDIS');

/** Closes the queue, the delivery scripts' connection and the connection pool once the worker and the consumer have stopped. */
@Injectable()
class WebhookResources implements OnApplicationShutdown {
  constructor(
    private readonly queue: DeliveryQueue,
    private readonly sender: WebhookSender,
    @Inject(DELIVERY_REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.sender.close(), this.redis.quit()]);
  }
}

@Module({})
export class WebhooksAppModule {
  static forRoot(config: WebhooksConfig, kafka: KafkaSettings): DynamicModule {
    const keyring = SecretKeyring.fromConfig(config.WEBHOOK_SECRET_KEK);
    return {
      module: WebhooksAppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL, 'webhooks'),
        ServicePlatformModule.forRoot({
          kafka,
          healthPattern: HealthPatterns.webhooks,
          database: {
            service: 'webhooks',
            url: config.DATABASE_URL,
            poolSize: config.DATABASE_POOL_SIZE,
            entities: [],
            migrations: webhooksMigrations(keyring),
            runMigrations: config.MIGRATIONS_RUN_ON_START,
          },
          extraChecks: { inject: [REDIS], useFactory: (redis: Redis) => [redisCheck(redis)] },
        }),
      ],
      controllers: [WebhooksHandlers],
      providers: [
        { provide: WEBHOOKS_CONFIG, useValue: config },
        { provide: SecretKeyring, useValue: keyring },
        EndpointSecretsRepository,
        EndpointSecrets,
        WebhookRetentionRepository,
        WebhookRetention,
        {
          provide: TargetPolicy,
          useFactory: () =>
            new TargetPolicy(config.WEBHOOK_ALLOW_HTTP, config.WEBHOOK_ALLOWED_PRIVATE_CIDRS, {
              servers: config.WEBHOOK_DNS_SERVERS,
              timeoutMs: config.WEBHOOK_DNS_TIMEOUT,
            }),
        },
        { provide: RetrySchedule, useFactory: () => new RetrySchedule(config.WEBHOOK_RETRY_SCHEDULE, config.WEBHOOK_RETRY_JITTER) },
        {
          provide: DeliveryQueue,
          inject: [RetrySchedule],
          // Enough BullMQ attempts for the longest schedule (an endpoint's has up to 20 delays); the attempt
          // service, not BullMQ, decides when a delivery has failed for good.
          useFactory: (schedule: RetrySchedule) => new DeliveryQueue(config.REDIS_URL, Math.max(schedule.maxAttempts, 21)),
        },
        {
          provide: WebhookSender,
          inject: [TargetPolicy],
          // Connections per origin = every delivery this process may have in flight: several endpoints
          // often share one origin (paths of one receiver), and the per-endpoint cap is the slots' job.
          // Capping connections per origin at the per-endpoint cap let a slow endpoint hold them all.
          useFactory: (policy: TargetPolicy) => new WebhookSender(policy, config.WEBHOOK_TIMEOUT, config.WEBHOOK_CONCURRENCY),
        },
        {
          provide: DELIVERY_REDIS,
          useFactory: () =>
            new Redis(config.REDIS_URL, {
              connectionName: 'sigil-webhooks-delivery',
              enableAutoPipelining: true,
              maxRetriesPerRequest: 2,
              connectTimeout: 2000,
              retryStrategy: (times) => Math.min(times * 100, 2000),
            }),
        },
        {
          provide: EndpointConcurrency,
          inject: [DELIVERY_REDIS, DeliveryQueue],
          useFactory: (redis: Redis, queue: DeliveryQueue) =>
            // A short lease, renewed while the attempt runs (an endpoint's timeout_ms goes up to 30 s): a crashed holder's slot frees in seconds.
            new EndpointConcurrency(redis, config.WEBHOOK_ENDPOINT_CONCURRENCY, SLOT_LEASE_MS, (jobId) => queue.promote(jobId)),
        },
        { provide: EndpointRateLimit, inject: [DELIVERY_REDIS], useFactory: (redis: Redis) => new EndpointRateLimit(redis) },
        ContactOrderingRepository,
        {
          provide: ContactOrdering,
          inject: [DataSource, ContactOrderingRepository, DeliveryQueue],
          // The new head's job is parked (promote it) or waiting (it runs soon); if Redis lost it, queue it again.
          useFactory: (dataSource: DataSource, repository: ContactOrderingRepository, queue: DeliveryQueue) =>
            new ContactOrdering(dataSource, repository, async (id, generation) => {
              if (!(await queue.promote(deliveryJobId(id, generation)))) await queue.ensureQueued([{ delivery_id: id, generation }]);
            }),
        },
        EndpointsRepository,
        EndpointsService,
        DeliveriesRepository,
        DeliveriesService,
        RecoveriesRepository,
        RecoveriesService,
        DeliveryAttemptsRepository,
        DeliveryAttemptService,
        FanoutRepository,
        FanoutService,
        FanoutConsumer,
        WebhookDeliveryProcessor,
        DeliveryReconcilerRepository,
        DeliveryReconciler,
        QueueBoard,
        WebhookResources,
      ],
    };
  }
}
