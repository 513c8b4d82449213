import Fastify from 'fastify';
import { installHttpMetrics } from './http-metrics.hook';
import { Metrics, routeLabel, withoutNamespace } from './metrics';

function sampleLine(text: string, prefix: string): string | undefined {
  return text.split('\n').find((line) => line.startsWith(prefix));
}

describe('Metrics', () => {
  it('labels Kafka names without the stack namespace', () => {
    expect(withoutNamespace('sigil.contacts.create', 'sigil')).toBe('contacts.create');
    expect(withoutNamespace('t_ab12.contacts.create', 't_ab12')).toBe('contacts.create');
    expect(withoutNamespace('other.contacts.create', 'sigil')).toBe('other.contacts.create');
  });

  it('labels unmatched requests as such instead of by raw url', () => {
    expect(routeLabel('/v1/contacts/:id')).toBe('/v1/contacts/:id');
    expect(routeLabel(undefined)).toBe('unmatched');
  });

  it('exposes default process metrics and the service label', async () => {
    const text = await new Metrics().labelService('contacts').render();
    expect(text).toContain('process_cpu_user_seconds_total{service="contacts"}');
    expect(text).toContain('nodejs_eventloop_lag_seconds{service="contacts"}');
  });

  it('records Kafka RPC latency by pattern and outcome', async () => {
    const metrics = new Metrics();
    metrics.startRpc('sigil.contacts.get')('ok');
    metrics.startRpc('sigil.contacts.get')('timeout');
    const text = await metrics.render();
    expect(sampleLine(text, 'sigil_kafka_rpc_duration_seconds_count{pattern="contacts.get",outcome="ok"}')).toMatch(/ 1$/);
    expect(sampleLine(text, 'sigil_kafka_rpc_duration_seconds_count{pattern="contacts.get",outcome="timeout"}')).toMatch(/ 1$/);
  });

  it('refreshes queue depth on every scrape', async () => {
    const metrics = new Metrics();
    let waiting = 3;
    metrics.trackQueueDepth('webhook-deliveries', async () => ({ waiting, failed: 1 }));
    expect(await metrics.render()).toContain('sigil_queue_depth{queue="webhook-deliveries",state="waiting"} 3');
    waiting = 0;
    expect(await metrics.render()).toContain('sigil_queue_depth{queue="webhook-deliveries",state="waiting"} 0');
  });

  it('still renders when a probe fails, and stops calling a removed probe', async () => {
    const metrics = new Metrics();
    let calls = 0;
    metrics.onScrape(async () => {
      throw new Error('database down');
    });
    const stop = metrics.onScrape(async () => void calls++);
    await metrics.render();
    stop();
    const text = await metrics.render();
    expect(calls).toBe(1);
    expect(text).toContain('sigil_outbox_backlog');
  });

  it('counts webhook deliveries and rate-limit decisions', async () => {
    const metrics = new Metrics();
    metrics.recordWebhookDelivery('delivered', 0.2);
    metrics.recordWebhookDelivery('retrying', 1.5);
    metrics.recordRateLimit('api_key', 'limited');
    const text = await metrics.render();
    expect(text).toContain('sigil_webhook_deliveries_total{outcome="delivered"} 1');
    expect(text).toContain('sigil_webhook_deliveries_total{outcome="retrying"} 1');
    expect(text).toContain('sigil_rate_limit_decisions_total{limit="api_key",decision="limited"} 1');
  });

  it('times HTTP requests by route template and status, including unmatched routes', async () => {
    const metrics = new Metrics();
    const app = Fastify();
    installHttpMetrics(app, metrics);
    installHttpMetrics(app, metrics); // a second install must not double count
    app.get('/v1/things/:id', async () => ({ ok: true }));
    await app.inject({ method: 'GET', url: '/v1/things/abc' });
    await app.inject({ method: 'GET', url: '/v1/things/def' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    await app.close();
    const text = await metrics.render();
    expect(sampleLine(text, 'sigil_http_request_duration_seconds_count{method="GET",route="/v1/things/:id",status_code="200"}')).toMatch(/ 2$/);
    expect(sampleLine(text, 'sigil_http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toMatch(/ 1$/);
    expect(text).not.toContain('/v1/things/abc');
  });
});
