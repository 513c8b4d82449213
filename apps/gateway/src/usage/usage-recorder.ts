/**
 * Counts requests in memory and ships them to the keys service in batches,
 * off the request path: per credential, day and status class (the first
 * release's report) and per credential, hour, route template and outcome
 * (analytics, SPEC §15). Recording a request is two map updates; pending
 * counts are flushed every `USAGE_FLUSH_INTERVAL_MS` and when the HTTP server
 * closes, after the last request finished. A failed flush keeps its counts
 * for the next one.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyRpc, type UsageEntry, type UsageHourlyEntry } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { usageOutcome } from './usage-outcome';

const HOUR_MS = 3_600_000;

/** A day's count as kept between flushes: the last use as a number (made an ISO string once per flush, not per request). */
type PendingUsage = Omit<UsageEntry, 'last_used_at'> & { lastUsedMs: number };

@Injectable()
export class UsageRecorder {
  private readonly logger = new Logger('UsageRecorder');
  private pending = new Map<string, PendingUsage>();
  private pendingHourly = new Map<string, UsageHourlyEntry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The current hour's start and its ISO strings, recomputed once an hour rather than per request. */
  private hourStart = 0;
  private hourIso = '';
  private dayIso = '';

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  record(req: FastifyRequest, reply: FastifyReply): void {
    const subject = req.sigilUsage;
    if (!subject) return;
    const nowMs = Date.now();
    if (nowMs >= this.hourStart + HOUR_MS || nowMs < this.hourStart) {
      this.hourStart = nowMs - (nowMs % HOUR_MS);
      this.hourIso = new Date(this.hourStart).toISOString();
      this.dayIso = this.hourIso.slice(0, 10);
    }
    const status = reply.statusCode;
    const statusClass = `${Math.min(5, Math.max(2, Math.floor(status / 100)))}xx` as UsageEntry['status_class'];
    const k = `${subject.tenant_id}|${subject.credential_id}|${this.dayIso}|${statusClass}`;
    const entry = this.pending.get(k);
    if (entry) {
      entry.count++;
      entry.lastUsedMs = nowMs;
    } else {
      this.pending.set(k, {
        tenant_id: subject.tenant_id,
        credential_id: subject.credential_id,
        day: this.dayIso,
        status_class: statusClass,
        count: 1,
        lastUsedMs: nowMs,
      });
    }
    // The route template, not the path: ids would make every request its own route.
    const route = `${req.method} ${req.routeOptions.url ?? 'unmatched'}`;
    const outcome = usageOutcome(status);
    const hk = `${subject.tenant_id}|${subject.credential_id}|${this.hourIso}|${route}|${outcome}`;
    const hourly = this.pendingHourly.get(hk);
    if (hourly) {
      hourly.count++;
    } else {
      this.pendingHourly.set(hk, { tenant_id: subject.tenant_id, credential_id: subject.credential_id, hour: this.hourIso, route, outcome, count: 1 });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.ship());
    return this.flushing;
  }

  private async ship(): Promise<void> {
    if (!this.pending.size && !this.pendingHourly.size) return;
    const batch = this.pending;
    const hourlyBatch = this.pendingHourly;
    this.pending = new Map();
    this.pendingHourly = new Map();
    const entries: UsageEntry[] = [...batch.values()].map(({ lastUsedMs, ...e }) => ({ ...e, last_used_at: new Date(lastUsedMs).toISOString() }));
    const hourly = [...hourlyBatch.values()];
    try {
      await this.rpc.call(KeyRpc.recordUsage, { tenant_id: 'system', mode: 'live', request_id: 'usage-flush' }, { body: { entries, hourly } });
    } catch (err) {
      // Put the counts back; the next flush retries them.
      for (const [k, e] of batch) {
        const newer = this.pending.get(k);
        if (newer) {
          newer.count += e.count;
          newer.lastUsedMs = Math.max(newer.lastUsedMs, e.lastUsedMs);
        } else this.pending.set(k, e);
      }
      for (const [k, e] of hourlyBatch) {
        const newer = this.pendingHourly.get(k);
        if (newer) newer.count += e.count;
        else this.pendingHourly.set(k, e);
      }
      this.logger.warn(`usage flush failed (${entries.length + hourly.length} entries kept): ${String(err)}`);
    }
  }
}
