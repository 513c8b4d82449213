/**
 * Deletes what is past its retention: audit entries after a year (through
 * the table's one purge path), hourly usage after 90 days. Runs shortly after
 * start and then every `RETENTION_SWEEP_INTERVAL_MS`; every replica may run
 * it (batched deletes of expired rows do not conflict).
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { KEYS_CONFIG, type KeysConfig } from '../config';
import { UsageService } from '../usage/usage.service';

@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly audit: AuditService,
    private readonly usage: UsageService,
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.RETENTION_SWEEP_INTERVAL_MS;
    const first = setTimeout(() => void this.sweep(), Math.min(every, 60_000));
    first.unref();
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  sweep(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        const audit = await this.audit.purgeExpired();
        const usage = await this.usage.purgeExpired();
        if (audit || usage) this.logger.log({ msg: 'retention sweep', audit_entries: audit, usage_rows: usage });
      } catch (err) {
        this.logger.warn(`retention sweep failed (retried at the next one): ${String(err)}`);
      }
    });
    return this.running;
  }
}
