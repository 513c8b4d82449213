/**
 * The lean kafkajs encoding gives kafkajs' own bytes: each replacement
 * (CRC32C, murmur2, the Encoder's varints and growth, the record) against
 * kafkajs' implementation on random input, and whole produce requests
 * against a produce request encoded by a copy of kafkajs loaded untouched
 * (`jest.isolateModules`). Fails too if the fix stops being in effect.
 */
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  kafkajsLeanEncodingInEffect,
  kafkajsOriginal,
  crc32C,
  leanCrc32C,
  nativeCrc32CInEffect,
  leanMurmur2,
  leanRecord,
  leanRecordDecoder,
  type BatchContext,
  type KafkajsDecoder,
  type KafkajsEncoder,
  type RecordArgs,
} from './kafkajs-lean-encoding.fix';

/* eslint-disable @typescript-eslint/no-require-imports */
type EncoderClass = (new (initialSize?: number) => KafkajsEncoder) & { prototype: KafkajsEncoder; sizeOfVarLong(value: unknown): number };
const Encoder = require('kafkajs/src/protocol/encoder') as EncoderClass;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: unknown): unknown };
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => KafkajsDecoder;
type BatchDecoder = (decoder: KafkajsDecoder) => Promise<{ records: unknown[] }>;
type ProduceRequest = (args: Record<string, unknown>) => { apiKey: number; apiVersion: number; encode(): Promise<KafkajsEncoder> };
type Framing = (args: { correlationId: number; clientId: string | null; request: ReturnType<ProduceRequest> }) => Promise<KafkajsEncoder>;

/** A deterministic generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ['a', 'Z', '0', '-', '"', '\\', 'é', 'ß', '€', '日本', '😀', '\u0000', '\n', ' '];

function text(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

function bytesOrText(r: () => number, max: number): Buffer | string {
  return r() < 0.3 ? randomBytes(Math.floor(r() * max)) : text(r, max);
}

function randomRecord(r: () => number): RecordArgs {
  const headers: NonNullable<RecordArgs['headers']> = {};
  const headerCount = Math.floor(r() * 4);
  for (let i = 0; i < headerCount; i++) {
    headers[`h${i}-${text(r, 5)}`] = r() < 0.25 ? [bytesOrText(r, 20), bytesOrText(r, 20)] : bytesOrText(r, 40);
  }
  const deltas = [0, 1, -1, 63, 64, -65, 300, 2 ** 31, -(2 ** 31) - 7, 2 ** 40 + 3, 2 ** 51 + 11, -(2 ** 52)];
  return {
    offsetDelta: Math.floor(r() * 70000),
    timestampDelta: deltas[Math.floor(r() * deltas.length)],
    key: r() < 0.1 ? null : bytesOrText(r, 40),
    value: r() < 0.05 ? null : bytesOrText(r, r() < 0.1 ? 5000 : 400),
    headers,
  };
}

/** Runs `fn` with kafkajs' own Encoder methods (restored after). */
function withKafkajsEncoder<T>(fn: () => T): T {
  const proto = Encoder.prototype;
  const lean = { ensureAvailable: proto.ensureAvailable, writeUVarInt: proto.writeUVarInt, writeVarLong: proto.writeVarLong, sizeOfVarLong: Encoder.sizeOfVarLong };
  proto.ensureAvailable = kafkajsOriginal.ensureAvailable;
  proto.writeUVarInt = kafkajsOriginal.writeUVarInt;
  proto.writeVarLong = kafkajsOriginal.writeVarLong;
  Encoder.sizeOfVarLong = kafkajsOriginal.sizeOfVarLong;
  try {
    return fn();
  } finally {
    Object.assign(proto, { ensureAvailable: lean.ensureAvailable, writeUVarInt: lean.writeUVarInt, writeVarLong: lean.writeVarLong });
    Encoder.sizeOfVarLong = lean.sizeOfVarLong;
  }
}

describe('kafkajs lean encoding', () => {
  it('is in effect: kafkajs loads its record encoder, CRC and key hash from here', () => {
    expect(kafkajsLeanEncodingInEffect()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/record/v0')).toBe(leanRecord);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(crc32C);
    expect(require('kafkajs/src/producer/partitioners/default/murmur2')).toBe(leanMurmur2);
    expect(require('kafkajs/src/protocol/recordBatch/record/v0/decoder')).toBe(leanRecordDecoder);
    expect(kafkajsOriginal.record).not.toBe(leanRecord);
  });

  /** The check value, and kafkajs' result for every length up to 300 at every alignment, for long buffers, and with the top bit set (unsigned, as kafkajs' Uint32Array gives it). */
  function expectKafkajsCrc32C(crc: (buffer: Buffer) => number): void {
    expect(crc(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc(Buffer.alloc(0))).toBe(kafkajsOriginal.crc32C(Buffer.alloc(0)));
    const data = randomBytes(70000);
    const slices = [];
    for (let length = 0; length < 300; length++) slices.push(data.subarray(length % 11, (length % 11) + length));
    for (const length of [4095, 4096, 65537, 69990]) slices.push(data.subarray(3, 3 + length));
    for (let n = 0; n < 64; n++) slices.push(data.subarray(n * 1000, n * 1000 + 777));
    let high = 0;
    for (const slice of slices) {
      const value = crc(slice);
      expect(value).toBe(kafkajsOriginal.crc32C(slice));
      if (value > 0x7fffffff) high++;
    }
    expect(high).toBeGreaterThan(0);
  }

  it('CRC32C in JavaScript (the fallback): kafkajs’ result', () => {
    expectKafkajsCrc32C(leanCrc32C);
  });

  it('CRC32C: the native one is in effect here (linux x64) and gives kafkajs’ result', () => {
    expect(nativeCrc32CInEffect()).toBe(true);
    expect(crc32C).not.toBe(leanCrc32C);
    expectKafkajsCrc32C(crc32C);
  });

  it('murmur2: kafkajs’ hash of text and byte keys, every length', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const key = i % 3 === 0 ? randomBytes(i % 70) : i % 3 === 1 ? text(r, 40) : `con_${randomBytes(12).toString('hex')}`;
      expect(leanMurmur2(key)).toBe(kafkajsOriginal.murmur2(key));
    }
    expect(leanMurmur2('')).toBe(kafkajsOriginal.murmur2(''));
  });

  it('Encoder: the same varints, varlongs and sizes, through growth', () => {
    const values = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      127,
      128,
      300,
      16383,
      16384,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 40,
      -(2 ** 40) - 1,
      2 ** 51 - 1,
      2 ** 51,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
    ];
    const bytes = randomBytes(3000);
    const write = (e: KafkajsEncoder) => {
      for (const v of values) {
        e.writeUVarInt(v);
        (e as unknown as { writeVarInt(v: number): void }).writeVarInt(v);
        e.writeVarLong(v);
        e.writeVarLong(Long.fromValue(v));
      }
      (e as unknown as { writeVarIntBytes(v: Buffer): void }).writeVarIntBytes(bytes);
      return e.buffer;
    };
    const lean = write(new Encoder(0));
    const kafkajs = withKafkajsEncoder(() => write(new Encoder(0)));
    expect(lean.equals(kafkajs)).toBe(true);
    for (const v of values) expect(Encoder.sizeOfVarLong(v)).toBe(kafkajsOriginal.sizeOfVarLong(v));
  });

  it('records: kafkajs’ bytes for random keys, values, headers and deltas', () => {
    const r = rng(11);
    for (let i = 0; i < 3000; i++) {
      const args = randomRecord(r);
      const lean = leanRecord(args).buffer;
      const kafkajs = withKafkajsEncoder(() => kafkajsOriginal.record(args).buffer);
      if (!lean.equals(kafkajs)) throw new Error(`record ${i} differs: ${JSON.stringify(args)}`);
    }
    expect(leanRecord({ value: 'v' }).buffer.equals(withKafkajsEncoder(() => kafkajsOriginal.record({ value: 'v' }).buffer))).toBe(true);
  });

  it('a record with a null header value fails as in kafkajs (never a silently different record)', () => {
    const args = { key: 'k', value: 'v', headers: { h: null as unknown as string } };
    // Node's TypeError, from another realm than jest's: compared by message.
    const message = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    const kafkajsError = message(() => withKafkajsEncoder(() => kafkajsOriginal.record(args)));
    expect(kafkajsError).toMatch(/must be of type string/);
    expect(message(() => leanRecord(args))).toBe(kafkajsError);
  });

  it('fetched records: kafkajs’ decoded record (offset, timestamp, key, value, repeated and odd headers) for every batch context', () => {
    const r = rng(31);
    const contexts: BatchContext[] = [
      { firstOffset: '0', firstTimestamp: '1764000000000', magicByte: 2, timestampType: 0, maxTimestamp: '1764000000500' },
      { firstOffset: '123456789012', firstTimestamp: '-1', magicByte: 2, isControlBatch: true },
      { firstOffset: '9007199254740990', firstTimestamp: '9007199254740990', magicByte: 2, timestampType: 0 },
      { firstOffset: '92233720368547758', firstTimestamp: '1764000000000', magicByte: 2, timestampType: 1, maxTimestamp: '1764000009999' },
      { firstOffset: '7', firstTimestamp: '1764000000000', magicByte: 2, timestampType: 1 },
    ];
    const odd = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": ["a", "b"]}') as RecordArgs['headers'];
    for (let i = 0; i < 3000; i++) {
      const args = i % 50 === 0 ? { key: 'k', value: 'v', headers: odd, timestampDelta: i, offsetDelta: i } : randomRecord(r);
      const encoded = new Decoder(leanRecord(args).buffer);
      const body = (encoded as unknown as { readVarIntBytes(): Buffer }).readVarIntBytes();
      const context = contexts[i % contexts.length]!;
      const leanDecoder = new Decoder(body);
      const kafkajsDecoder = new Decoder(body);
      const lean = leanRecordDecoder(leanDecoder, context);
      const kafkajs = kafkajsOriginal.recordDecoder(kafkajsDecoder, context);
      // Node's strict deep equality: jest's toStrictEqual compares `.constructor`, which a header named
      // "constructor" makes an own property (a different array on each side).
      expect(isDeepStrictEqual(lean, kafkajs)).toBe(true);
      if (args.headers !== odd) expect(lean).toStrictEqual(kafkajs);
      expect(Object.getPrototypeOf(lean.headers)).toBe(Object.getPrototypeOf(kafkajs.headers));
      expect(Object.keys(lean.headers)).toEqual(Object.keys(kafkajs.headers));
      expect(leanDecoder.offset).toBe(kafkajsDecoder.offset);
    }
  });

  it('fetched batches: the records an untouched kafkajs decodes', async () => {
    let untouched: BatchDecoder | undefined;
    let UntouchedDecoder: (new (buffer: Buffer) => KafkajsDecoder) | undefined;
    jest.isolateModules(() => {
      untouched = require('kafkajs/src/protocol/recordBatch/v0/decoder') as BatchDecoder;
      UntouchedDecoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => KafkajsDecoder;
    });
    const lean = require('kafkajs/src/protocol/recordBatch/v0/decoder') as BatchDecoder;
    expect(untouched).not.toBe(lean);
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch(args: Record<string, unknown>): Promise<KafkajsEncoder> };
    const r = rng(37);
    const records = Array.from({ length: 400 }, (_, i) => leanRecord({ ...randomRecord(r), offsetDelta: i, timestampDelta: i * 3 }));
    const batch = (
      await RecordBatch({ records, firstTimestamp: 1_764_000_000_000, maxTimestamp: 1_764_000_001_200, lastOffsetDelta: 399, firstOffset: Long.fromValue(5000) })
    ).buffer;
    const decodedLean = await lean(new Decoder(batch));
    const decodedUntouched = await untouched!(new UntouchedDecoder!(batch));
    expect(decodedLean.records).toHaveLength(400);
    expect(decodedLean).toStrictEqual(decodedUntouched);
  });

  it('whole produce requests, framed: the bytes of an untouched kafkajs (v3 and v7, plain and gzip, with and without timestamps)', async () => {
    const untouched: { v3?: ProduceRequest; v7?: ProduceRequest; frame?: Framing } = {};
    jest.isolateModules(() => {
      untouched.v3 = require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest;
      untouched.v7 = require('kafkajs/src/protocol/requests/produce/v7/request') as ProduceRequest;
      untouched.frame = require('kafkajs/src/protocol/request') as Framing;
    });
    const lean = {
      v3: require('kafkajs/src/protocol/requests/produce/v3/request') as ProduceRequest,
      v7: require('kafkajs/src/protocol/requests/produce/v7/request') as ProduceRequest,
      frame: require('kafkajs/src/protocol/request') as Framing,
    };
    expect(untouched.v3).not.toBe(lean.v3);
    expect(untouched.frame).not.toBe(lean.frame);
    const r = rng(23);
    const base = 1_764_000_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(base + 12_345);
    for (let round = 0; round < 8; round++) {
      const version = round % 2 ? 'v7' : 'v3';
      const topicData = ['sigil.contact.events', 'sigil.other'].map((topic) => ({
        topic,
        partitions: [0, 3, 7].map((partition) => ({
          partition,
          firstSequence: 0,
          messages: Array.from({ length: round === 6 ? 0 : 1 + Math.floor(r() * 300) }, (_, i) => {
            const { key, value, headers } = randomRecord(r);
            // Some without a timestamp: kafkajs stamps those with Date.now() (held still below).
            return { key, value, headers, timestamp: r() < 0.2 ? undefined : base + i * Math.floor(r() * 5) };
          }),
        })),
      }));
      const args = {
        acks: round === 3 ? 1 : -1,
        timeout: 30000,
        compression: round === 5 ? 1 : 0,
        transactionalId: round === 4 ? 'tx-1' : undefined,
        producerId: round === 4 ? 42 : undefined,
        producerEpoch: round === 4 ? 3 : undefined,
        topicData,
      };
      const framed = async (produce: ProduceRequest, frame: Framing) =>
        (await frame({ correlationId: 77 + round, clientId: 'sigil-contacts-outbox', request: produce(args) })).buffer;
      const leanBytes = await framed(lean[version], lean.frame);
      const untouchedBytes = await framed(untouched[version]!, untouched.frame!);
      expect(leanBytes.length).toBe(untouchedBytes.length);
      expect(leanBytes.equals(untouchedBytes)).toBe(true);
    }
    jest.restoreAllMocks();
  });
});
