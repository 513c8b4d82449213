/** Kafka message headers, read as text. */
import type { IHeaders } from 'kafkajs';

/** A header's (first) value as a string, or undefined when absent. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
