/**
 * Kafka names of one Sigil stack. Every topic, message pattern and consumer
 * group is qualified with a namespace so that several stacks (dev, CI, a test
 * run) can share one Kafka cluster without stealing each other's messages.
 * The namespace is read once, when this module loads, because Nest binds
 * message patterns at decoration time.
 */
export const KAFKA_NAMESPACE: string = process.env['SIGIL_KAFKA_NAMESPACE'] || 'sigil';

export function qualify(name: string): string {
  return `${KAFKA_NAMESPACE}.${name}`;
}

/** Consumer group of a service's request/event handlers. */
export function serviceGroupId(service: string): string {
  return qualify(service);
}

/** The service a qualified message pattern belongs to: `sigil.contacts.create` → `contacts`. */
export function serviceOfPattern(pattern: string): string {
  return pattern.slice(KAFKA_NAMESPACE.length + 1).split('.')[0] || 'upstream';
}
