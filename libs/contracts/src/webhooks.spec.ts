import { CreateWebhookSchema, eventMatchesFilters, EventFilterSchema, filtersMatching } from './webhooks';

describe('webhook event filters', () => {
  it('matches exact types, family wildcards and *', () => {
    expect(eventMatchesFilters(['contact.created'], 'contact.created')).toBe(true);
    expect(eventMatchesFilters(['contact.created'], 'contact.updated')).toBe(false);
    expect(eventMatchesFilters(['contact.*'], 'contact.tags_changed')).toBe(true);
    expect(eventMatchesFilters(['contact.*'], 'segment.contact_entered')).toBe(false);
    expect(eventMatchesFilters(['list.*', 'segment.*'], 'segment.contact_exited')).toBe(true);
    expect(eventMatchesFilters(['*'], 'api_key.revoked')).toBe(true);
    expect(eventMatchesFilters([], 'contact.created')).toBe(false);
  });

  it('lists the filters an event type answers to (used by the fan-out query)', () => {
    expect(filtersMatching('contact.created')).toEqual(['contact.created', 'contact.*', '*']);
  });

  it.each(['*', 'contact.*', 'api_key.*', 'webhook.endpoint_disabled', 'segment.contact_entered'])('accepts filter %s', (f) => {
    expect(EventFilterSchema.safeParse(f).success).toBe(true);
  });

  it.each(['contact', 'contacts.*', 'contact.nope', '*.created', 'webhook.test', '', 'contact.**'])('rejects filter %s', (f) => {
    expect(EventFilterSchema.safeParse(f).success).toBe(false);
  });

  it('validates an endpoint: url, at least one filter, no unknown fields; de-duplicates filters', () => {
    expect(CreateWebhookSchema.parse({ url: 'https://example.com/h', events: ['*', '*'] }).events).toEqual(['*']);
    const bad = CreateWebhookSchema.safeParse({ url: 'ftp://example.com', events: [], extra: 1 });
    expect(bad.success).toBe(false);
    const fields = bad.error!.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys[0] : i.path.join('.')));
    expect(fields.sort()).toEqual(['events', 'extra', 'url']);
    expect(CreateWebhookSchema.safeParse({ url: 'https://user:pw@example.com', events: ['*'] }).success).toBe(false);
  });
});
