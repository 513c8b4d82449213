import { CreateWebhookSchema, eventMatchesFilters, EventFilterSchema, filtersMatching, parseDuration, RETRY_DELAY_PATTERN } from './webhooks';

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
    // The document's bounds: 2 048 characters as sent (surrounding whitespace counts), nothing blank or control inside.
    const url = (u: string) => CreateWebhookSchema.safeParse({ url: u, events: ['*'] }).success;
    const long = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    expect([url(long), url(` ${long}`), url(`\v${long}`)]).toEqual([true, false, false]);
    expect([url(' https://example.com/h\n'), url('https://example.com\n/h'), url('https://exa\tmple.com/h')]).toEqual([true, false, false]);
    // A host the URL parser takes but the document's pattern refuses (the fuzz stored `https://…lrf*`); names, IP addresses and
    // international names (punycode after parsing) are taken.
    expect(['https://a.example*', 'https://a_b.example/h', 'https://a!.example', 'https://ex*ample.com/x'].map(url)).toEqual([false, false, false, false]);
    expect(['HttPs://A-1.Example.COM:8443/h?x=1', 'https://203.0.113.7/h', 'https://[2001:db8::1]/h', 'https://bücher.example/h'].map(url)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // Something that is no URL at all gets one detail, not one per rule it also breaks.
    const notUrl = CreateWebhookSchema.safeParse({ url: 'not a url', events: ['*'] });
    expect(notUrl.error!.issues.map((i) => i.path.join('.'))).toEqual(['url']);
  });
});

describe('retry delays: one pattern for the validation and the document', () => {
  const DAY_MS = 86_400_000;
  // Every unit around its 24-hour bound, with fractions, leading zeros and spaces, plus what is not a duration.
  const samples = [
    ...['0', '1', '250', '9999999', '10000000', '86399999', '86399999.5', '86400000', '86400000.0', '86400000.4', '86400001', '99999999', '123456789'],
    ...['0s', '5s', '59.9s', '86399s', '86399.999s', '86400s', '86400.0s', '86400.0004s', '86401s', '100000s'],
    ...['1m', '1439m', '1439.99m', '1440m', '1440.00m', '1440.5m', '1441m', '9999m'],
    ...['2h', '23h', '23.999h', '24h', '24.0h', '24.01h', '25h', '99h', '0024h'],
    ...['0d', '0.5d', '0.9999d', '1d', '1.00d', '1.01d', '2d', '001d'],
    ...['5 ms', ' 5s ', '5 s', '5ms', '0005m', '.5s', '5.s', '5x', 'soon', '', '-1s', '5sec', '1e3', '٣s'],
  ];

  it.each(samples)('%j: valid exactly when parseDuration reads at most 24 h', (text) => {
    const parsed = parseDuration(text);
    // The fractions at the boundary that round down to 24 h exactly are the one place the pattern is stricter.
    const within = parsed !== undefined && parsed <= DAY_MS && !/^\s*(86400000\.[1-9]|86400\.0*[1-9])/.test(text);
    expect({ text, valid: RETRY_DELAY_PATTERN.test(text.trim()) }).toEqual({ text, valid: within });
  });
});

describe('custom webhook headers', () => {
  const names = (headers: Record<string, string>) => CreateWebhookSchema.safeParse({ url: 'https://example.com/h', events: ['*'], headers }).success;

  it('refuses reserved names in any case, invalid tokens, 21 headers and names equal but for case', () => {
    expect(names({ 'X-Tenant': 'a', 'x-trace': 'b' })).toBe(true);
    expect(names({ HOST: 'a' })).toBe(false);
    expect(names({ 'Webhook-Signature': 'a' })).toBe(false);
    expect(names({ 'X Bad': 'a' })).toBe(false);
    expect(names(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v'])))).toBe(false);
    expect(names({ 'X-A': '1', 'x-a': '2' })).toBe(false);
  });
});
