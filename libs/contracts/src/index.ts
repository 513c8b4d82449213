export * from './naming';
export * from './errors';
export * from './rpc';
export * from './patterns';
export * from './events';
export * from './contacts';
export * from './health';
