/**
 * The Prometheus metrics of one Sigil process: one registry with the Node
 * process metrics and every named instrument the platform and the services
 * record into. Scraped at `GET /metrics` (see MetricsController).
 *
 * Label values are kept to small, fixed sets (route templates, message
 * patterns without the stack's Kafka namespace, outcomes), never ids.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { KAFKA_NAMESPACE } from '@sigil/contracts';
import { RequestDurationHistogram } from './request-duration-histogram';

/** Seconds; from a fast cache hit to a slow cross-service call. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type RpcOutcome = 'ok' | 'domain_error' | 'timeout' | 'transport_error';
/** `unavailable`: Redis did not answer (the request was refused, or let through when failing open). */
export type RateLimitDecision = 'allowed' | 'limited' | 'unavailable';
/** What became of one webhook delivery attempt. */
export type WebhookDeliveryOutcome = 'delivered' | 'retrying' | 'failed';

/** A function run before each scrape to refresh gauges that are read, not counted (backlogs, queue depths). */
export type ScrapeProbe = () => Promise<void>;

const PROBE_TIMEOUT_MS = 2000;

/** `sigil.contacts.create` → `contacts.create`: the namespace differs per stack, the metric should not. */
export function withoutNamespace(name: string, namespace: string = KAFKA_NAMESPACE): string {
  return name.startsWith(`${namespace}.`) ? name.slice(namespace.length + 1) : name;
}

/** The route template a request matched (`/v1/contacts/:id`), or `unmatched` for 404s outside any route. */
export function routeLabel(routeUrl: string | undefined): string {
  return routeUrl && routeUrl.length > 0 ? routeUrl : 'unmatched';
}

export class Metrics {
  private static processMetrics: Metrics | undefined;

  readonly registry = new Registry();
  private readonly probes = new Set<ScrapeProbe>();

  readonly httpRequestDuration = new RequestDurationHistogram({
    name: 'sigil_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status code.',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rpcDuration = new Histogram({
    name: 'sigil_kafka_rpc_duration_seconds',
    help: 'Kafka request/reply round trip as seen by the caller, by message pattern and outcome.',
    labelNames: ['pattern', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'sigil_events_consumed_total',
    help: 'Domain events handled by a consumer group, by event type and outcome (processed, or a failed attempt that is retried).',
    labelNames: ['group', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly eventHandlerDuration = new Histogram({
    name: 'sigil_event_handler_duration_seconds',
    help: 'Time a consumer group took to handle one domain event successfully, retries included.',
    labelNames: ['group', 'type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'sigil_kafka_consumer_lag',
    help: 'Messages behind the end of the partition after the last batch this replica processed.',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly outboxRelayed = new Counter({
    name: 'sigil_outbox_relayed_total',
    help: 'Domain events relayed from the outbox table to Kafka.',
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'sigil_outbox_backlog',
    help: 'Events written to the outbox and not yet relayed to Kafka.',
    registers: [this.registry],
  });

  readonly outboxOldestAge = new Gauge({
    name: 'sigil_outbox_oldest_age_seconds',
    help: 'Age of the oldest event still waiting in the outbox (0 when empty).',
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'sigil_queue_depth',
    help: 'Jobs in a work queue (e.g. BullMQ webhook deliveries) by state.',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'sigil_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveryDuration = new Histogram({
    name: 'sigil_webhook_delivery_duration_seconds',
    help: 'Duration of one webhook delivery attempt (the HTTP call to the endpoint), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly rateLimitDecisions = new Counter({
    name: 'sigil_rate_limit_decisions_total',
    help: 'Rate-limit decisions at the gateway by limit name and decision.',
    labelNames: ['limit', 'decision'] as const,
    registers: [this.registry],
  });

  readonly signInFailures = new Counter({
    name: 'sigil_sign_in_failures_total',
    help: "Failed logins by reason (unknown_email, invalid_password, throttled): the operator's view, unknown emails included, which belong to no tenant.",
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly secretScanningReports = new Counter({
    name: 'sigil_secret_scanning_reports_total',
    help: 'GitHub secret scanning reports received at the partner endpoint, by outcome (accepted, invalid_signature, replayed, invalid).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly secretScanningTokens = new Counter({
    name: 'sigil_secret_scanning_tokens_total',
    help: 'Tokens of accepted secret scanning reports, by label (true_positive: a Sigil key; false_positive: another format, a wrong checksum or an unknown key).',
    labelNames: ['label'] as const,
    registers: [this.registry],
  });

  constructor() {
    // The event-loop delay histogram samples on a native timer; at prom-client's default 10 ms it woke every idle
    // process 100 times a second (~0.1 % of a core); 100 ms still sees any stall worth a dashboard.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
  }

  /** The registry of this process, shared by every module and library in it. */
  static forProcess(): Metrics {
    Metrics.processMetrics ??= new Metrics();
    return Metrics.processMetrics;
  }

  /** Adds `service="<name>"` to every series, so dashboards can group by service. */
  labelService(service: string): this {
    this.registry.setDefaultLabels({ service });
    return this;
  }

  /** Runs `probe` before every scrape; returns a function that stops it. */
  onScrape(probe: ScrapeProbe): () => void {
    this.probes.add(probe);
    return () => this.probes.delete(probe);
  }

  /** Reports a queue's job counts (e.g. `() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed')`) on every scrape. */
  trackQueueDepth(queue: string, counts: () => Promise<Record<string, number>>): () => void {
    return this.onScrape(async () => {
      for (const [state, value] of Object.entries(await counts())) this.queueDepth.set({ queue, state }, value);
    });
  }

  recordRateLimit(limit: string, decision: RateLimitDecision): void {
    this.rateLimitDecisions.inc({ limit, decision });
  }

  recordWebhookDelivery(outcome: WebhookDeliveryOutcome, seconds: number): void {
    this.webhookDeliveries.inc({ outcome });
    this.webhookDeliveryDuration.observe({ outcome }, seconds);
  }

  /** Times a Kafka request/reply call; call the returned function with its outcome. */
  startRpc(pattern: string): (outcome: RpcOutcome) => void {
    const end = this.rpcDuration.startTimer({ pattern: withoutNamespace(pattern) });
    return (outcome) => void end({ outcome });
  }

  /** The exposition text; probes that fail or hang leave their gauges at the last value. */
  async render(): Promise<string> {
    await Promise.all(
      [...this.probes].map((probe) => Promise.race([probe().catch(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS).unref())])),
    );
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
