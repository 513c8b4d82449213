/**
 * The same produce requests from kafkajs 2.2.4, byte for byte, with less CPU
 * and far fewer allocations. The outbox relay of an import job produces one
 * record per imported contact, and in the import's profile (issue #16,
 * session 8) kafkajs' encoding was 16 % of the contacts process's busy time,
 * plus a share of its 23 % of garbage collection: per record kafkajs builds
 * two or more `Encoder`s (each a zero-filled 512-byte buffer with its own
 * backing store, grown by copying), a `Buffer.from([..])` per varint, a
 * BigInt-backed `Long` for every timestamp delta and for every 4 bytes of the
 * key it hashes (murmur2), and computes the batch's CRC32C one byte at a time.
 *
 * What this file changes (kafkajs is pinned at 2.2.4, package.json; the unit
 * test compares every replacement with kafkajs' own code on random input):
 *
 * - `Encoder#ensureAvailable` grows into `Buffer.allocUnsafe` (no zero fill:
 *   an encoder only ever exposes the bytes it wrote, `buf.slice(0, offset)`);
 *   `writeUVarInt` writes its bytes in place; `writeVarLong` and
 *   `Encoder.sizeOfVarLong` take a fast path for numbers that are safe
 *   integers (a record's timestamp delta), kafkajs' `Long` otherwise.
 * - a record (`recordBatch/record/v0`) is encoded into one buffer of its exact
 *   size, headers included (kafkajs: one encoder per header, copied in);
 * - an uncompressed produce request (`requests/produce/v3/request`, which
 *   v4–v7 reuse) is sized first and written once: each record batch into one
 *   buffer, then the request into one — kafkajs copies every record's bytes
 *   about ten times through nested, doubling encoders (batch body, batch,
 *   batch with offset, partition, topic, request), every copy a fresh
 *   power-of-two buffer; the request's framing (`protocol/request`, every
 *   request type) is one copy instead of two;
 * - CRC32C (`recordBatch/crc32C`) by the CPU's own CRC32C instruction
 *   (`@node-rs/crc32`: 6 GB/s on a 3.3 MB export chunk, 8x the slicing-by-8
 *   loop below, which stays the fallback where that native module does not
 *   load);
 * - murmur2 (`producer/partitioners/default/murmur2`, the key hash of the
 *   default partitioner) in 32-bit integer arithmetic (`Math.imul`): Java's
 *   own, which kafkajs computes in 64-bit `Long`s and truncates;
 * - and on the consuming side, every event consumer's: a fetched record
 *   (`recordBatch/record/v0/decoder`) gets its offset and timestamp strings
 *   from plain numbers while they are safe integers (kafkajs: two BigInt
 *   `Long` sums per record, and a `Long` per byte of its timestamp delta), and
 *   its headers object without an object spread per header.
 *
 * kafkajs captures these functions when the modules that use them load, so
 * this file replaces them in the module cache before kafkajs loads (it is
 * imported, after the send fix, at the top of `@sigil/platform`). Loaded too
 * late, only the `Encoder` patches apply — slower, never wrong;
 * `kafkajsLeanEncodingInEffect` says which. `KAFKAJS_LEAN_ENCODING=0` turns
 * the whole file off.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** The kafkajs `Encoder` as this file sees it. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  ensureAvailable(length: number): void;
  writeUVarInt(value: number): KafkajsEncoder;
  writeVarLong(value: unknown): KafkajsEncoder;
}
interface EncoderClass {
  new (initialSize?: number): KafkajsEncoder;
  prototype: KafkajsEncoder;
  sizeOfVarLong(value: unknown): number;
  nextPowerOfTwo(value: number): number;
}
interface ProduceMessage {
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: RecordArgs['headers'];
  timestamp?: number | string | null;
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: { partition: number; firstSequence?: number; messages: ProduceMessage[] }[] }[];
}
export interface ProduceRequest {
  apiKey: number;
  apiVersion: number;
  apiName: string;
  expectResponse(): boolean;
  encode(): Promise<KafkajsEncoder>;
}
export interface FramingArgs {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode(): Promise<KafkajsEncoder> };
}
/** The Encoder methods used below to write fields (kafkajs' own: exact widths, big-endian). */
interface FieldWriter extends KafkajsEncoder {
  writeInt8(v: number): FieldWriter;
  writeInt16(v: number): FieldWriter;
  writeInt32(v: number): FieldWriter;
  writeUInt32(v: number): FieldWriter;
  writeInt64(v: unknown): FieldWriter;
  writeString(v: string | null): FieldWriter;
  writeBuffer(v: Buffer): FieldWriter;
  writeEncoder(v: KafkajsEncoder): FieldWriter;
  size(): number;
}
/** The kafkajs `Decoder` as this file sees it. */
export interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): unknown;
  readVarIntString(): string | null;
  readVarIntBytes(): Buffer | null;
}
export interface BatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
  [more: string]: unknown;
}
export interface DecodedRecord {
  magicByte: number | undefined;
  attributes: number;
  timestamp: string | undefined;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}
export interface RecordArgs {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[]>;
}

const ENCODER = require.resolve('kafkajs/src/protocol/encoder');
const RECORD = require.resolve('kafkajs/src/protocol/recordBatch/record/v0');
const CRC32C = require.resolve('kafkajs/src/protocol/recordBatch/crc32C');
const MURMUR2 = require.resolve('kafkajs/src/producer/partitioners/default/murmur2');
const PRODUCE_V3 = require.resolve('kafkajs/src/protocol/requests/produce/v3/request');
const RECORD_DECODER = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder');
const REQUEST = require.resolve('kafkajs/src/protocol/request');
/** The modules that capture the ones replaced here when they load. */
const CAPTURERS = [
  require.resolve('kafkajs/src/protocol/recordBatch/v0'),
  require.resolve('kafkajs/src/protocol/requests/produce/v4/request'),
  require.resolve('kafkajs/src/producer/partitioners/default'),
  require.resolve('kafkajs/src/network/connection'),
  require.resolve('kafkajs/src/protocol/recordBatch/v0/decoder'),
  PRODUCE_V3,
];
const loadedTooLate = CAPTURERS.some((m) => require.cache[m] !== undefined);

const Encoder = require(ENCODER) as EncoderClass;

const Long = require('kafkajs/src/utils/long') as { fromInt(v: number): unknown; fromValue(v: unknown): unknown };
const NO_COMPRESSION = (require('kafkajs/src/protocol/message/compression') as { Types: { None: number } }).Types.None;
const PRODUCE_API_KEY = (require('kafkajs/src/protocol/requests/apiKeys') as { Produce: number }).Produce;

/** kafkajs' own implementations: for compressed produce requests, and for the unit test (which shows the replacements give the same bytes). */
export const kafkajsOriginal = {
  ensureAvailable: Encoder.prototype.ensureAvailable,
  writeUVarInt: Encoder.prototype.writeUVarInt,
  writeVarLong: Encoder.prototype.writeVarLong,
  sizeOfVarLong: Encoder.sizeOfVarLong.bind(Encoder),
  record: require(RECORD) as (args: RecordArgs) => KafkajsEncoder,
  crc32C: require(CRC32C) as (buffer: Buffer) => number,
  murmur2: require(MURMUR2) as (key: Buffer | string) => number,
  produceV3: require(PRODUCE_V3) as (args: ProduceArgs) => ProduceRequest,
  request: require(REQUEST) as (args: FramingArgs) => Promise<KafkajsEncoder>,
  recordDecoder: require(RECORD_DECODER) as (decoder: KafkajsDecoder, batchContext?: BatchContext) => DecodedRecord,
};

// ---- Encoder ---------------------------------------------------------------------------------

function ensureAvailable(this: KafkajsEncoder, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
}

function writeUVarInt(this: KafkajsEncoder, value: number): KafkajsEncoder {
  this.ensureAvailable(5);
  this.offset = putUVarInt(this.buf, this.offset, value);
  return this;
}

/** Above this a zigzagged number is no longer a safe integer: kafkajs' Long takes over. */
const FAST_VARLONG_MAX = 2 ** 51;

function writeVarLong(this: KafkajsEncoder, value: unknown): KafkajsEncoder {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) >= FAST_VARLONG_MAX) {
    return kafkajsOriginal.writeVarLong.call(this, value);
  }
  this.ensureAvailable(8);
  this.offset = putUVarLong(this.buf, this.offset, zigzag64(value));
  return this;
}

function sizeOfVarLong(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) >= FAST_VARLONG_MAX) return kafkajsOriginal.sizeOfVarLong(value);
  return sizeOfUVarLong(zigzag64(value));
}

/** A varint as kafkajs writes it: 7 bits at a time of the value as an unsigned 32-bit integer (at most 5 bytes). */
function putUVarInt(buf: Buffer, at: number, value: number): number {
  while ((value & 0xffffff80) !== 0) {
    buf[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buf[at++] = value & 0x7f;
  return at;
}

function zigzag32(value: number): number {
  return (value << 1) ^ (value >> 31);
}

function sizeOfVarInt(value: number): number {
  let v = zigzag32(value);
  let bytes = 1;
  while ((v & 0xffffff80) !== 0) {
    bytes++;
    v >>>= 7;
  }
  return bytes;
}

/** ZigZag of a safe integer below 2^51 in magnitude, as a (non-negative, safe) number. */
function zigzag64(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function putUVarLong(buf: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    buf[at++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  buf[at++] = value;
  return at;
}

/** A varlong (zigzag) at `at` of `buf`, which has room for it: kafkajs' own encoding for what the fast path does not take. */
function putVarLong(buf: Buffer, at: number, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < FAST_VARLONG_MAX) return putUVarLong(buf, at, zigzag64(value));
  const slow = new Encoder();
  kafkajsOriginal.writeVarLong.call(slow, value);
  return at + slow.buffer.copy(buf, at);
}

function sizeOfUVarLong(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    bytes++;
    value = Math.floor(value / 0x80);
  }
  return bytes;
}

// ---- Record ----------------------------------------------------------------------------------

/** An encoder around a buffer of exactly `size` bytes (kafkajs' constructor would zero-fill 512 and grow by copying). */
class SizedEncoder extends (Encoder as unknown as new (initialSize?: number) => KafkajsEncoder) {
  constructor(size: number) {
    super(0); // a one-byte buffer: small typed arrays live on V8's heap, no backing store of their own
    this.buf = Buffer.allocUnsafe(size);
  }
}

/** A field's length (`null`/`undefined`: -1, no bytes) for a varint-prefixed bytes field. */
function bytesLength(value: Buffer | string | null | undefined): number {
  return value == null ? -1 : Buffer.byteLength(value);
}

function putBytes(buf: Buffer, at: number, value: Buffer | string | null | undefined, length: number): number {
  at = putUVarInt(buf, at, zigzag32(length));
  if (length <= 0) return at;
  if (Buffer.isBuffer(value)) return at + value.copy(buf, at);
  return at + buf.write(String(value), at, length, 'utf8');
}

/**
 * kafkajs' `Record` (v0) with the same bytes: Length, Attributes, TimestampDelta, OffsetDelta, Key, Value,
 * Headers (each a varint-prefixed key and value; an array value is one header per element, in order).
 */
export function leanRecord({ offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordArgs): KafkajsEncoder {
  const headerKeys: string[] = [];
  const headerValues: (Buffer | string)[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name]!;
    if (Array.isArray(v)) {
      for (const each of v) {
        headerKeys.push(name);
        headerValues.push(each);
      }
    } else {
      headerKeys.push(name);
      headerValues.push(v);
    }
  }
  const keyLength = bytesLength(key);
  const valueLength = bytesLength(value);
  // kafkajs sizes every header value with Buffer.byteLength (a null one throws there, and here).
  const headerKeyLengths = headerKeys.map((k) => Buffer.byteLength(k));
  const headerValueLengths = headerValues.map((v) => Buffer.byteLength(v));
  let headersSize = sizeOfVarInt(headerKeys.length);
  for (let i = 0; i < headerKeys.length; i++) {
    headersSize += sizeOfVarInt(headerKeyLengths[i]!) + headerKeyLengths[i]! + sizeOfVarInt(headerValueLengths[i]!) + headerValueLengths[i]!;
  }
  const sizeOfBody =
    1 +
    sizeOfVarLong(timestampDelta) +
    sizeOfVarInt(offsetDelta) +
    sizeOfVarInt(keyLength) +
    Math.max(keyLength, 0) +
    sizeOfVarInt(valueLength) +
    Math.max(valueLength, 0) +
    headersSize;

  const encoder = new SizedEncoder(sizeOfVarInt(sizeOfBody) + sizeOfBody);
  const buf = encoder.buf;
  let at = putUVarInt(buf, 0, zigzag32(sizeOfBody));
  buf[at++] = 0; // attributes: none used
  at = putVarLong(buf, at, timestampDelta);
  at = putUVarInt(buf, at, zigzag32(offsetDelta));
  at = putBytes(buf, at, key, keyLength);
  at = putBytes(buf, at, value, valueLength);
  at = putUVarInt(buf, at, zigzag32(headerKeys.length));
  for (let i = 0; i < headerKeys.length; i++) {
    at = putBytes(buf, at, headerKeys[i], headerKeyLengths[i]!);
    at = putBytes(buf, at, headerValues[i], headerValueLengths[i]!);
  }
  encoder.offset = at;
  return encoder;
}

// ---- produce requests ------------------------------------------------------------------------

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
/** RecordBatch after its offset and length: epoch, magic, CRC; then the body's fixed fields and the record count. */
const BATCH_PREFIX = 4 + 1 + 4;
const BATCH_BODY_FIXED = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

function stringSize(value: string | null | undefined): number {
  return value == null ? 2 : 2 + Buffer.byteLength(value, 'utf8');
}

/**
 * One partition's RecordBatch (v2, uncompressed) as kafkajs' produce request writes it — FirstOffset,
 * Length, then PartitionLeaderEpoch, Magic, CRC (CRC32C of what follows), Attributes, LastOffsetDelta,
 * FirstTimestamp, MaxTimestamp, ProducerId, ProducerEpoch, FirstSequence, the records — in one buffer.
 */
function leanRecordBatch(messages: ProduceMessage[], producerId: unknown, producerEpoch: number, firstSequence: number, transactional: boolean): Buffer {
  // kafkajs' own choice of timestamps (a lexicographic sort included).
  const dateNow = Date.now();
  const messageTimestamps = messages
    .map((m) => m.timestamp)
    .filter((timestamp) => timestamp != null)
    .sort() as (number | string)[];
  const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps;
  const firstTimestamp = timestamps[0]!;
  const maxTimestamp = timestamps[timestamps.length - 1]!;
  const records: KafkajsEncoder[] = new Array(messages.length);
  let recordsSize = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const record = leanRecord({
      key: m.key,
      value: m.value,
      headers: m.headers,
      offsetDelta: i,
      timestampDelta: ((m.timestamp || dateNow) as number) - (firstTimestamp as number),
    });
    records[i] = record;
    recordsSize += record.offset;
  }
  const bodySize = BATCH_BODY_FIXED + recordsSize;
  const batch = new SizedEncoder(8 + 4 + BATCH_PREFIX + bodySize) as FieldWriter;
  batch
    .writeInt64(Long.fromInt(0))
    .writeInt32(BATCH_PREFIX + bodySize)
    .writeInt32(0)
    .writeInt8(MAGIC_BYTE);
  const crcAt = batch.offset;
  batch.writeUInt32(0); // the CRC, once the body is written
  const bodyAt = batch.offset;
  batch
    .writeInt16(NO_COMPRESSION | (transactional ? TRANSACTIONAL_MASK : 0))
    .writeInt32(messages.length - 1)
    .writeInt64(firstTimestamp)
    .writeInt64(maxTimestamp)
    .writeInt64(producerId)
    .writeInt16(producerEpoch)
    .writeInt32(firstSequence)
    .writeInt32(records.length);
  for (const record of records) batch.writeBuffer(record.buf.subarray(0, record.offset));
  batch.buf.writeUInt32BE(crc32C(batch.buf.subarray(bodyAt, batch.offset)), crcAt);
  return batch.buf.subarray(0, batch.offset);
}

/**
 * kafkajs' Produce request v3 (and so v4–v7) with the same fields and bytes: uncompressed ones written
 * here (see the file's header), compressed ones by kafkajs.
 */
export function leanProduceV3(args: ProduceArgs): ProduceRequest {
  const { acks, timeout, transactionalId = null, producerId = Long.fromInt(-1), producerEpoch = 0, compression = NO_COMPRESSION, topicData } = args;
  if (compression !== NO_COMPRESSION) return kafkajsOriginal.produceV3(args);
  return {
    apiKey: PRODUCE_API_KEY,
    apiVersion: 3,
    apiName: 'Produce',
    expectResponse: () => acks !== 0,
    encode: async () => {
      const topics = topicData.map(({ topic, partitions }) => ({
        topic,
        partitions: partitions.map(({ partition, messages, firstSequence = 0 }) => ({
          partition,
          batch: leanRecordBatch(messages, producerId, producerEpoch, firstSequence, !!transactionalId),
        })),
      }));
      let size = stringSize(transactionalId) + 2 + 4 + 4;
      for (const t of topics) {
        size += stringSize(t.topic) + 4;
        for (const p of t.partitions) size += 4 + 4 + p.batch.length;
      }
      const request = new SizedEncoder(size) as FieldWriter;
      request.writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeInt32(topics.length);
      for (const t of topics) {
        request.writeString(t.topic).writeInt32(t.partitions.length);
        for (const p of t.partitions) request.writeInt32(p.partition).writeInt32(p.batch.length).writeBuffer(p.batch);
      }
      return request;
    },
  };
}

/** kafkajs' request framing (Size, ApiKey, ApiVersion, CorrelationId, ClientId, then the request) in one copy of the request. */
export async function leanRequest({ correlationId, clientId, request: { apiKey, apiVersion, encode } }: FramingArgs): Promise<KafkajsEncoder> {
  const payload = (await encode()) as FieldWriter;
  const size = 2 + 2 + 4 + stringSize(clientId) + payload.size();
  return (new SizedEncoder(4 + size) as FieldWriter)
    .writeInt32(size)
    .writeInt16(apiKey)
    .writeInt16(apiVersion)
    .writeInt32(correlationId)
    .writeString(clientId)
    .writeEncoder(payload);
}

// ---- fetched records --------------------------------------------------------------------------

const LOG_APPEND_TIME = (require('kafkajs/src/protocol/timestampTypes') as { LOG_APPEND_TIME: number }).LOG_APPEND_TIME;

/** A batch's first offset and timestamp as numbers, when they are canonical safe integers (else null: kafkajs' Long). */
const batchNumbers = new WeakMap<BatchContext, { offset: number | null; timestamp: number | null }>();

function safeNumber(text: string | undefined): number | null {
  if (typeof text !== 'string') return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && String(n) === text ? n : null;
}

/** A varlong of at most 7 bytes (|value| < 2^48) as a number, the decoder moved past it; undefined leaves it for kafkajs' Long. */
function readSmallVarLong(decoder: KafkajsDecoder): number | undefined {
  const buf = decoder.buffer;
  let at = decoder.offset;
  let result = 0;
  let scale = 1;
  for (let n = 0; n < 7; n++) {
    const b = buf[at++];
    if (b === undefined) return undefined;
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      decoder.offset = at;
      return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
    }
    scale *= 0x80;
  }
  return undefined;
}

/** `base + delta` as kafkajs' `Long.fromValue(base).add(delta).toString()` prints it. */
function sumText(base: number | null, baseText: string | undefined, delta: number | undefined, slowDelta: () => unknown): string {
  if (base !== null && delta !== undefined) {
    const sum = base + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return (Long.fromValue(baseText) as { add(v: unknown): { toString(): string } }).add(delta ?? slowDelta()).toString();
}

/**
 * kafkajs' header reduction — one value per key, an array once a key repeats — to the letter: it reads the
 * key as a plain property (so a header named after an Object.prototype member starts as an array) and
 * defines it as an own property (`{...obj, [key]: …}`: a `__proto__` header is a header, not a prototype).
 */
function addHeader(headers: DecodedRecord['headers'], key: string | null, value: Buffer | null): void {
  const name = String(key);
  const before = (headers as Record<string, unknown>)[name] as Buffer | null | (Buffer | null)[] | undefined;
  const next = before === undefined ? value : Array.isArray(before) ? before.concat([value]) : [before, value];
  Object.defineProperty(headers, name, { value: next, enumerable: true, writable: true, configurable: true });
}

/**
 * kafkajs' record decoder (v0) with the same result: attributes, timestamp and offset (decimal strings), key,
 * value, headers (a repeated key becomes an array, in order), the batch's context.
 */
export function leanRecordDecoder(decoder: KafkajsDecoder, batchContext: BatchContext = {}): DecodedRecord {
  const { firstOffset, firstTimestamp, magicByte, isControlBatch = false, timestampType, maxTimestamp } = batchContext;
  let numbers = batchNumbers.get(batchContext);
  if (!numbers) {
    numbers = { offset: safeNumber(firstOffset), timestamp: safeNumber(firstTimestamp) };
    batchNumbers.set(batchContext, numbers);
  }
  const attributes = decoder.readInt8();
  const from = decoder.offset;
  const smallDelta = readSmallVarLong(decoder);
  let slowDelta: unknown;
  if (smallDelta === undefined) {
    decoder.offset = from;
    slowDelta = decoder.readVarLong();
  }
  const timestamp = timestampType === LOG_APPEND_TIME && maxTimestamp ? maxTimestamp : sumText(numbers.timestamp, firstTimestamp, smallDelta, () => slowDelta);
  const offsetDelta = decoder.readVarInt();
  const offset = sumText(numbers.offset, firstOffset, offsetDelta, () => offsetDelta);
  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  const headers: DecodedRecord['headers'] = {};
  const count = decoder.readVarInt();
  if (count < -1) throw new RangeError('Invalid array length'); // as kafkajs' new Array(count)
  for (let i = 0; i < count; i++) {
    const name = decoder.readVarIntString();
    addHeader(headers, name, decoder.readVarIntBytes());
  }
  return { magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: isControlBatch, batchContext };
}

// ---- CRC32C ----------------------------------------------------------------------------------

/** Slicing-by-8 tables of the reflected Castagnoli polynomial: TABLES[k][b] is byte b's CRC followed by k zero bytes. */
const TABLES: Int32Array[] = (() => {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const next = new Int32Array(256);
    for (let n = 0; n < 256; n++) next[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(next);
  }
  return tables;
})();

/** CRC32C of `buffer` (unsigned), as kafkajs' byte-at-a-time loop computes it, eight bytes per step. */
export function leanCrc32C(buffer: Buffer): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  let crc = -1;
  let i = 0;
  const whole = buffer.length - (buffer.length % 8);
  for (; i < whole; i += 8) {
    const low = crc ^ (buffer[i]! | (buffer[i + 1]! << 8) | (buffer[i + 2]! << 16) | (buffer[i + 3]! << 24));
    crc =
      t7[low & 0xff]! ^
      t6[(low >>> 8) & 0xff]! ^
      t5[(low >>> 16) & 0xff]! ^
      t4[low >>> 24]! ^
      t3[buffer[i + 4]!]! ^
      t2[buffer[i + 5]!]! ^
      t1[buffer[i + 6]!]! ^
      t0[buffer[i + 7]!]!;
  }
  for (; i < buffer.length; i++) crc = t0[(crc ^ buffer[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * `@node-rs/crc32`'s hardware CRC32C (unsigned), or undefined where its prebuilt binary does not
 * load (or `KAFKAJS_NATIVE_CRC32C=0`, to compare the two).
 */
function loadNativeCrc32C(): ((buffer: Buffer) => number) | undefined {
  if (process.env['KAFKAJS_NATIVE_CRC32C'] === '0') return undefined;
  try {
    const { crc32c } = require('@node-rs/crc32') as { crc32c: (input: Buffer, initialState?: number) => number };
    const native = (buffer: Buffer): number => crc32c(buffer) >>> 0;
    // Its result must be the loop's (the standard check value of CRC-32C); else it is not used.
    return native(Buffer.from('123456789')) === 0xe3069283 ? native : undefined;
  } catch {
    return undefined;
  }
}

/** The CRC32C every record batch is sealed with: the native one when it loads, else the loop above. */
export const crc32C: (buffer: Buffer) => number = loadNativeCrc32C() ?? leanCrc32C;

/** Whether record batches are sealed by the native CRC32C (metrics and tests). */
export function nativeCrc32CInEffect(): boolean {
  return crc32C !== leanCrc32C;
}

// ---- murmur2 ---------------------------------------------------------------------------------

const MURMUR_M = 0x5bd1e995;

/** Kafka's murmur2 of a key (Java's DefaultPartitioner, 0.10.2) as a signed 32-bit integer, as kafkajs returns it. */
export function leanMurmur2(key: Buffer | string): number {
  const data = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, MURMUR_M);
    k ^= k >>> 24;
    k = Math.imul(k, MURMUR_M);
    h = Math.imul(h, MURMUR_M) ^ k;
  }
  // The last 1–3 bytes (Java's switch falls through: each case adds its byte, then one multiply).
  const rest = length % 4;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, MURMUR_M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR_M);
  h ^= h >>> 15;
  return h | 0;
}

// ---- applied once, when the platform loads ---------------------------------------------------

/** `KAFKAJS_LEAN_ENCODING=0` leaves kafkajs as it is: to compare the two, or to rule this file out. */
const enabled = process.env['KAFKAJS_LEAN_ENCODING'] !== '0';

if (enabled) {
  Encoder.prototype.ensureAvailable = ensureAvailable;
  Encoder.prototype.writeUVarInt = writeUVarInt;
  Encoder.prototype.writeVarLong = writeVarLong;
  Encoder.sizeOfVarLong = sizeOfVarLong;
  require.cache[RECORD]!.exports = leanRecord;
  // kafkajs' index returns its loop's result through a one-element Uint32Array: unsigned, as crc32C's is.
  require.cache[CRC32C]!.exports = crc32C;
  require.cache[MURMUR2]!.exports = leanMurmur2;
  require.cache[PRODUCE_V3]!.exports = leanProduceV3;
  require.cache[REQUEST]!.exports = leanRequest;
  require.cache[RECORD_DECODER]!.exports = leanRecordDecoder;
}

/** Whether kafkajs encodes through this file (false: turned off, or kafkajs loaded before it and only the Encoder patches apply). */
export function kafkajsLeanEncodingInEffect(): boolean {
  return enabled && !loadedTooLate;
}
