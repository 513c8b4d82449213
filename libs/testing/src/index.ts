export * from './infra';
export * from './stack';
export * from './event-spy';
export * from './http-client';
export * from './factories';
export * from './tenant';
export * from './webhook-receiver';
