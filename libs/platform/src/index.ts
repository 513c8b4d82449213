// First: kafkajs must load with the send fix in place (see the file).
import './kafka/kafkajs-send-messages.fix';
// Then the same produce requests with less CPU and allocation (see the file): also before kafkajs loads.
import './kafka/kafkajs-lean-encoding.fix';
// Node's AsyncResource.bind without its per-call deprecation wrappers (see the file).
import './runtime/async-resource-bind.fix';
export * from './config/config.loader';
export * from './errors/domain-errors';
export * from './errors/validation';
export * from './logging/json-logger';
export * from './logging/request-context';
export * from './ids';
export * from './coalescer';
export * from './kafka/kafka.config';
export { KafkajsConsumerGroup, kafkajsRecoverFromFetch } from './kafka/kafkajs-fetch-recovery.fix';
export {
  KafkajsConsumerGroup as KafkajsCoordinatorFailoverGroup,
  kafkajsCommitOffsets,
  kafkajsCommitOffsetsIfNecessary,
  kafkajsHeartbeat,
  kafkajsJoinAndSync,
} from './kafka/kafkajs-coordinator-failover.fix';
export { assertKafkajsSendFix } from './kafka/kafkajs-send-messages.fix';
export { kafkajsLeanEncodingInEffect } from './kafka/kafkajs-lean-encoding.fix';
export * from './kafka/topic-admin';
export * from './kafka/rpc-client';
export * from './kafka/rpc-handlers';
export { rawReply } from './kafka/raw-reply';
export * from './kafka/handle-rpc';
export * from './kafka/rpc-dispatch';
export * from './database/database.module';
export * from './database/shared-tables.migration';
export * from './database/outbox-json.migration';
export * from './bootstrap/migration-job';
export * from './outbox/outbox.writer';
export * from './outbox/outbox.relay';
export * from './consumer/processed-events';
export * from './consumer/event-consumer';
export * from './health/health.checks';
export * from './health/health.controller';
export * from './bootstrap/service-platform.module';
export * from './bootstrap/service-runtime';
export * from './health/health.handlers';
export * from './redis/redis.module';
export * from './http/public.decorator';
export * from './auth/api-key-format';
export * from './auth/access-token';
export * from './metrics';
export * from './tracing';
export * from './database/returned-rows';
export * from './database/pg-errors';
export * from './database/tenant-scope';
export * from './database/batched-lookup';
export * from './database/copy-data';
export * from './database/copy-into';
export * from './database/named-statement';
export * from './database/group-commit';
export * from './idempotency/idempotency-ledger';
export * from './kafka/consumer-health';
export * from './kafka/concurrent-server-kafka';
export * from './kafka/service-topics-client-kafka';
export * from './paging/keyset';
export * from './files/record-reader';
