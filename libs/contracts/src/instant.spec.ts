/** Instants reach the services in UTC, whatever offset the client wrote (PostgreSQL refuses some RFC 3339 allows). */
import { Instant } from './instant';
import { RecoverWebhookSchema } from './webhooks';

describe('Instant', () => {
  it('normalises any RFC 3339 offset to UTC', () => {
    expect(Instant.parse('2026-12-01T10:00:00-21:36')).toBe('2026-12-02T07:36:00.000Z');
    expect(Instant.parse('2026-12-01T10:00:00+02:00')).toBe('2026-12-01T08:00:00.000Z');
    expect(Instant.parse('2026-12-01T10:00:00Z')).toBe('2026-12-01T10:00:00.000Z');
  });

  it('still refuses what is not a date-time with an offset', () => {
    expect(Instant.safeParse('2026-12-01').success).toBe(false);
    expect(Instant.safeParse('2026-12-01T10:00:00').success).toBe(false);
    expect(Instant.safeParse('yesterday').success).toBe(false);
  });

  it('is what request schemas hand over (the webhook recover window the fuzz found)', () => {
    expect(RecoverWebhookSchema.parse({ since: '2026-12-01T00:00:00-21:36' })).toEqual({ since: '2026-12-01T21:36:00.000Z' });
  });
});
