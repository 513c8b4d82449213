/**
 * The HTTP request-duration histogram (`sigil_http_request_duration_seconds`)
 * kept as plain counts per route template, method and status, and handed to
 * prom-client's registry at scrape time in the very form of prom-client's own
 * histogram (same series, same labels, same text). prom-client's
 * `Histogram.observe` checks the label object and hashes it into a string on
 * every call — 3 % of the gateway's busy time at saturation of `GET /v1/me`
 * (issue #13); here a request costs three map look-ups on strings it already
 * has and a bucket search.
 */
import type { Metric, Registry } from 'prom-client';

interface Cell {
  labels: { method: string; route: string; status_code: string };
  /** Observations per bucket (not cumulative); above the last bound only in `count`. */
  buckets: number[];
  sum: number;
  count: number;
}

interface SampleValue {
  labels: Record<string, string | number>;
  sharedLabels?: Cell['labels'];
  value: number;
  metricName: string;
}

export class RequestDurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** route → method → status → cell. */
  private readonly cells = new Map<string, Map<string, Map<number, Cell>>>();

  readonly name: string;
  readonly help: string;
  private readonly bounds: readonly number[];

  /** The options of prom-client's own metrics (a name, its help, the buckets' upper bounds, the registries). */
  constructor(options: { name: string; help: string; buckets: readonly number[]; registers: Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = options.buckets;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.cells.get(route);
    if (!byMethod) this.cells.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let cell = byStatus.get(status);
    if (!cell) {
      cell = { labels: { method, route, status_code: String(status) }, buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
      byStatus.set(status, cell);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    if (i < this.bounds.length) cell.buckets[i]!++;
    cell.sum += seconds;
    cell.count++;
  }

  /** What the registry prints (`metrics()`): per series the cumulative buckets, `+Inf`, sum and count, the series' labels shared. */
  getForPromString() {
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const byMethod of this.cells.values()) {
      for (const byStatus of byMethod.values()) {
        for (const cell of byStatus.values()) {
          let acc = 0;
          for (let i = 0; i < this.bounds.length; i++) {
            acc += cell.buckets[i]!;
            values.push({ labels: { le: this.bounds[i]! }, sharedLabels: cell.labels, value: acc, metricName: bucket });
          }
          values.push({ labels: { le: '+Inf' }, sharedLabels: cell.labels, value: cell.count, metricName: bucket });
          values.push({ labels: {}, sharedLabels: cell.labels, value: cell.sum, metricName: `${this.name}_sum` });
          values.push({ labels: {}, sharedLabels: cell.labels, value: cell.count, metricName: `${this.name}_count` });
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same as JSON (`getMetricsAsJSON`): each value's labels whole; buckets with no exemplar, as prom-client's. */
  get() {
    const metric = this.getForPromString();
    const bucket = `${this.name}_bucket`;
    return {
      ...metric,
      values: metric.values.map(({ labels, sharedLabels, value, metricName }) => ({
        labels: { ...sharedLabels, ...labels },
        value,
        metricName,
        ...(metricName === bucket ? { exemplar: null } : {}),
      })),
    };
  }

  reset(): void {
    this.cells.clear();
  }
}
