/** The outbox's COPY data (outbox.writer.ts: outboxCopyText): one line per event, text-format escaping (copyText) that reads back exactly. */
import { EVENT_TOPIC_OF, type DomainEvent } from '@sigil/contracts';
import { outboxCopyText, type PreparedEvent } from './outbox.writer';

/** What PostgreSQL's COPY text format makes of a field (the escapes copyText writes). */
function unescape(field: string): string {
  return field.replace(/\\([\\tnr])/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!);
}

function event(id: string, data: Record<string, unknown>, headers: Record<string, string>): PreparedEvent {
  const envelope = { id, type: 'contact.created', tenant_id: 'ten_1', mode: 'live', occurred_at: '2026-12-03T12:00:00.000Z', version: 1, data } as unknown as DomainEvent;
  return { envelope, key: `con_${id}`, headers };
}

describe('outbox COPY data', () => {
  it('writes one line of six fields per event, in order, whose envelope and headers read back as they were', () => {
    const headers = { 'event-type': 'contact.created', 'x-request-id': 'req\\1' };
    const hostile = { contact: { first_name: 'say "hi",\nthen\tleave \\ now', note: '\\N', emoji: '🦜' } };
    const events = [event('evt_1', hostile, headers), event('evt_2', { contact: { first_name: 'b' } }, headers)];
    const text = outboxCopyText(events);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2);
    const fields = lines.map((l) => l.split('\t').map(unescape));
    expect(fields.map((f) => f.length)).toEqual([6, 6]);
    expect(fields[0]!.slice(0, 4)).toEqual(['evt_1', EVENT_TOPIC_OF['contact.created'], 'con_evt_1', 'contact.created']);
    expect(JSON.parse(fields[0]![4]!)).toEqual(events[0]!.envelope);
    expect(JSON.parse(fields[0]![5]!)).toEqual(headers);
    expect(JSON.parse(fields[1]![4]!)).toEqual(events[1]!.envelope);
  });
});
