/**
 * Prometheus metrics of a running stack: after one contact is created through
 * the gateway, every process answers `/metrics` with its own series, and the
 * request is visible at each hop (HTTP at the gateway, the Kafka round trip,
 * the outbox relay in contacts, the event consumed by webhooks).
 */
import { ApiClient, contactInput, createTenant, eventually, TestStack, type ServiceName } from '@sigil/testing';

/** The value of the first sample of `metric` whose labels include all of `labels`. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrapes until `metric` reaches `min` (events and relays happen after the HTTP reply). */
function eventuallyAtLeast(url: string, metric: string, labels: Record<string, string>, min: number): Promise<number | undefined> {
  return eventually(
    async () => sample(await scrape(url), metric, labels),
    (v) => v !== undefined && v >= min,
    { timeoutMs: 20_000, stepMs: 200 },
  );
}

describe('metrics', () => {
  let stack: TestStack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await TestStack.start();
    ({ api } = await createTenant(stack.gatewayUrl));
    expect((await api.post('/v1/contacts', contactInput())).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('serves /metrics on every service without credentials, labelled with the service', async () => {
    for (const service of ['gateway', 'keys', 'contacts', 'segments', 'webhooks'] as ServiceName[]) {
      const text = await scrape(stack.get(service).url);
      expect(sample(text, 'process_cpu_user_seconds_total', { service })).toBeGreaterThan(0);
    }
  });

  it('shows the request at the gateway: HTTP latency by route template and the Kafka round trip', async () => {
    const text = await scrape(stack.gatewayUrl);
    expect(sample(text, 'sigil_http_request_duration_seconds_count', { method: 'POST', route: '/v1/contacts', status_code: '201' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'sigil_kafka_rpc_duration_seconds_count', { pattern: 'contacts.create', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
  });

  it('shows the event leaving the contacts outbox and reaching the webhooks consumer', async () => {
    expect(await eventuallyAtLeast(stack.get('contacts').url, 'sigil_outbox_relayed_total', {}, 1)).toBeGreaterThanOrEqual(1);
    expect(
      await eventuallyAtLeast(stack.get('webhooks').url, 'sigil_events_consumed_total', { type: 'contact.created', outcome: 'processed' }, 1),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(await scrape(stack.get('contacts').url), 'sigil_outbox_backlog', {})).toBe(0);
  });
});
