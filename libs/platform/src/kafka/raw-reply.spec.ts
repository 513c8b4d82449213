/** Raw replies: the bytes as the Kafka value, the rest in a header, and back; every other reply left to JSON. */
import type { RpcReply } from '@sigil/contracts';
import { decodeRawReply, isRawReply, RAW_REPLY_HEADER, rawReply, rawReplyMessage } from './raw-reply';

describe('raw replies', () => {
  const headers = { kafka_correlationId: 'c1' };

  it('is the plain reply object to its handler and callers, with the bytes in their field', () => {
    const bytes = Buffer.from('{"a": "é\\"x\\""}\n');
    const reply = rawReply('lines', bytes, { rows: 1, next_after: 'con_1', snapshot: null });
    expect(reply).toEqual({ rows: 1, next_after: 'con_1', snapshot: null, lines: bytes });
    expect(Object.keys(reply)).toEqual(['rows', 'next_after', 'snapshot', 'lines']);
    expect(isRawReply(reply)).toBe(true);
    expect(isRawReply({ ...reply })).toBe(false);
  });

  it('travels as the bytes themselves, the rest in a header, and comes back as the same reply', () => {
    const text = 'id,"quo""ted",\u0001\r\n'.repeat(3);
    const bytes = Buffer.from(text);
    const message = rawReplyMessage({ data: rawReply('lines', bytes, { rows: 3, next_after: null, snapshot: 'S-1' }) }, headers)!;
    // No JSON string around the bytes: the value is them, unescaped and uncopied.
    expect(message.value).toBe(bytes);
    expect(message.headers).toEqual({ ...headers, [RAW_REPLY_HEADER]: JSON.stringify(['lines', { rows: 3, next_after: null, snapshot: 'S-1' }]) });
    // As the consumer reads it: header values as Buffers.
    const received = { value: Buffer.from(bytes), headers: { [RAW_REPLY_HEADER]: Buffer.from(message.headers![RAW_REPLY_HEADER] as string) } };
    const reply = decodeRawReply(received) as { data: { lines: Buffer; rows: number; next_after: null; snapshot: string } };
    expect(reply.data).toEqual({ rows: 3, next_after: null, snapshot: 'S-1', lines: bytes });
    expect(reply.data.lines.toString()).toBe(text);
  });

  it('carries an empty chunk as empty bytes', () => {
    const message = rawReplyMessage({ data: rawReply('lines', Buffer.alloc(0), { rows: 0 }) }, headers)!;
    expect(message.value).toEqual(Buffer.alloc(0));
    // kafkajs may read an empty value back as null.
    expect(decodeRawReply({ value: null, headers: message.headers! })).toEqual({ data: { rows: 0, lines: Buffer.alloc(0) } });
  });

  it('leaves every other reply to JSON: plain data, pages, failures', () => {
    const replies: RpcReply[] = [
      { data: { lines: Buffer.from('x'), rows: 1 } },
      { data: [1, 2], page: { next_cursor: null, has_more: false } as never },
      { data: null },
      { error: { status: 404, code: 'not_found', type: 'invalid_request_error', message: 'no segment' } },
    ];
    for (const reply of replies) expect(rawReplyMessage(reply, headers)).toBeUndefined();
    expect(decodeRawReply({ value: Buffer.from('{"data":1}'), headers })).toBeUndefined();
    expect(decodeRawReply({ value: Buffer.from('{"data":1}'), headers: undefined as never })).toBeUndefined();
  });
});
