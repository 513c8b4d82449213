/**
 * Replies that carry bytes as they are. A reply travels as JSON (`{data}`),
 * so bytes in it — a segment export's chunk of rendered lines, up to 4 MiB —
 * went as a JSON string: escaped and encoded by the service, decoded, parsed
 * and encoded again by the caller, a few copies of every byte on each side.
 *
 * A handler returns `rawReply(field, bytes, rest)` instead: an object with
 * `rest`'s fields and `field` holding the bytes (so it is the reply type the
 * contract names), marked as raw. The server (`ConcurrentServerKafka.reply`)
 * sends it with the bytes as the Kafka message's value and the rest, with the
 * field's name, as JSON in the `sigil-raw-reply` header; the caller
 * (`ServiceTopicsClientKafka.settle`) gives `{data: {...rest, [field]: value}}`,
 * the value being the message's bytes as the Kafka client read them (no copy).
 * Failures (`{error}`) are JSON replies as before, whatever the handler.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { RpcReply } from '@sigil/contracts';

/** The header a raw reply carries: `[field, rest]` as JSON. Its presence is what marks the reply as raw. */
export const RAW_REPLY_HEADER = 'sigil-raw-reply';

const FIELD = Symbol('sigil.raw-reply-field');

/** A reply object whose `[FIELD]` names the field holding its bytes. */
type Marked = Record<string, unknown> & { [FIELD]: string };

/**
 * The reply `rest` with `bytes` in `field`, sent raw. Its type is the plain
 * object's, so a handler returns it where its contract names that type.
 */
export function rawReply<K extends string, M extends object>(field: K, bytes: Buffer, rest: M): M & Record<K, Buffer> {
  const reply = { ...rest, [field]: bytes } as M & Record<K, Buffer>;
  Object.defineProperty(reply, FIELD, { value: field, enumerable: false });
  return reply;
}

/** Whether `value` came from `rawReply`. */
export function isRawReply(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Marked>)[FIELD] === 'string';
}

/**
 * The Kafka message of a reply whose data is a raw reply (`headers` completed
 * with the raw header), or undefined for any other reply (sent as JSON).
 */
export function rawReplyMessage(reply: RpcReply, headers: IHeaders): Message | undefined {
  if (!('data' in reply) || !isRawReply(reply.data)) return undefined;
  const data = reply.data as Marked;
  const field = data[FIELD];
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(data)) if (key !== field) rest[key] = data[key];
  return { value: data[field] as Buffer, headers: { ...headers, [RAW_REPLY_HEADER]: JSON.stringify([field, rest]) } };
}

/**
 * The reply a raw reply's message carries (`{data}` with the bytes in their
 * field, an empty value as empty bytes), or undefined when the message is not
 * a raw reply (decode it as JSON).
 */
export function decodeRawReply(message: Pick<KafkaMessage, 'headers' | 'value'>): RpcReply | undefined {
  const header = message.headers?.[RAW_REPLY_HEADER];
  if (header === undefined) return undefined;
  const [field, rest] = JSON.parse((Array.isArray(header) ? header[0]! : header).toString()) as [string, Record<string, unknown>];
  return { data: { ...rest, [field]: message.value ?? Buffer.alloc(0) } };
}
