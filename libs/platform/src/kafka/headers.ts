/** Kafka message headers read as text, and message values decoded as Nest decodes them. */
import type { IHeaders } from 'kafkajs';

/** A header's (first) value as a string, or undefined when absent. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * A message value decoded as Nest's `KafkaParser.decode` does, with the bytes turned into a string
 * once (Nest's does it twice: a large value, e.g. an export page, paid for both): null stays null,
 * a value starting with a zero byte (a schema payload) stays bytes, text starting with `{` or `[`
 * is parsed when it is JSON, anything else is text.
 */
export function decodeValue(value: Buffer | string | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) && value.length > 0 && value[0] === 0) return value;
  const text = value.toString();
  const first = text.charAt(0);
  if (first !== '{' && first !== '[') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
