export * from './tracing';
export * from './trace-context';
export * from './json-line-span.exporter';
export * from './http-tracing';
