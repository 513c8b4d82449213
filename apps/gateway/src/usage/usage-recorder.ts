/**
 * Counts requests per credential, day and status class in memory and ships
 * them to the keys service in batches, off the request path. Pending counts
 * are flushed when the HTTP server closes, after the last request finished.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KeyRpc, type UsageEntry } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

@Injectable()
export class UsageRecorder {
  private readonly logger = new Logger('UsageRecorder');
  private pending = new Map<string, UsageEntry>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly rpc: RpcClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  record(req: FastifyRequest, reply: FastifyReply): void {
    const ctx = req.sigilContext;
    if (!ctx?.principal) return;
    const now = new Date();
    const day = now.toISOString().slice(0, 10);
    const statusClass = `${Math.min(5, Math.max(2, Math.floor(reply.statusCode / 100)))}xx` as UsageEntry['status_class'];
    const k = `${ctx.tenant_id}|${ctx.principal.id}|${day}|${statusClass}`;
    const entry = this.pending.get(k);
    if (entry) {
      entry.count++;
      entry.last_used_at = now.toISOString();
    } else {
      this.pending.set(k, { tenant_id: ctx.tenant_id, credential_id: ctx.principal.id, day, status_class: statusClass, count: 1, last_used_at: now.toISOString() });
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
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    const entries = [...batch.values()];
    try {
      await this.rpc.call(KeyRpc.recordUsage, { tenant_id: 'system', mode: 'live', request_id: 'usage-flush' }, { body: { entries } });
    } catch (err) {
      // Put the counts back; the next flush retries them.
      for (const [k, e] of batch) {
        const newer = this.pending.get(k);
        if (newer) {
          newer.count += e.count;
        } else {
          this.pending.set(k, e);
        }
      }
      this.logger.warn(`usage flush failed (${entries.length} entries kept): ${String(err)}`);
    }
  }
}
