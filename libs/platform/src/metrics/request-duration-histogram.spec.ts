/**
 * The request-duration histogram prints exactly what prom-client's own
 * histogram prints for the same observations (text and JSON), default
 * labels included.
 */
import { Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './metrics';
import { RequestDurationHistogram } from './request-duration-histogram';

const OBSERVATIONS: [string, string, number, number][] = [
  ['GET', '/v1/me', 200, 0.0012],
  ['GET', '/v1/me', 200, 0.005], // on a bound: counted in that bucket, as `le` says
  ['GET', '/v1/me', 200, 0.3],
  ['GET', '/v1/me', 401, 0.002],
  ['POST', '/v1/contacts', 201, 12], // above the last bound: +Inf only
  ['GET', 'unmatched', 404, 0.0001],
];

function both(defaultLabels?: Record<string, string>) {
  const [ours, theirs] = [new Registry(), new Registry()];
  if (defaultLabels) for (const r of [ours, theirs]) r.setDefaultLabels(defaultLabels);
  const fast = new RequestDurationHistogram({ name: 'sigil_http_request_duration_seconds', help: 'HTTP request duration.', buckets: LATENCY_BUCKETS, registers: [ours] });
  const reference = new Histogram({
    name: 'sigil_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [theirs],
  });
  for (const [method, route, status, seconds] of OBSERVATIONS) {
    fast.observe(method, route, status, seconds);
    reference.observe({ method, route, status_code: String(status) }, seconds);
  }
  return { ours, theirs, fast };
}

describe('RequestDurationHistogram', () => {
  it("prints the series prom-client's histogram prints for the same observations", async () => {
    const { ours, theirs } = both();
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('sigil_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/me",status_code="200"} 2');
    expect(text).toContain('sigil_http_request_duration_seconds_bucket{le="10",method="POST",route="/v1/contacts",status_code="201"} 0');
    expect(text).toContain('sigil_http_request_duration_seconds_count{method="POST",route="/v1/contacts",status_code="201"} 1');
  });

  it('with default labels, and as JSON', async () => {
    const { ours, theirs } = both({ service: 'gateway' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('starts again from nothing when reset', async () => {
    const { ours, fast } = both();
    ours.resetMetrics();
    expect(fast.getForPromString().values).toEqual([]);
    fast.observe('GET', '/v1/me', 200, 0.001);
    expect(await ours.metrics()).toContain('sigil_http_request_duration_seconds_count{method="GET",route="/v1/me",status_code="200"} 1');
  });
});
