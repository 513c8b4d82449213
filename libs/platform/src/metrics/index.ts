export * from './metrics';
export * from './metrics.module';
export * from './metrics.controller';
export * from './http-metrics.hook';
export * from './outbox-backlog.probe';
