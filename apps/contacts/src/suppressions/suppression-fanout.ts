/**
 * Tells a domain suppression's contacts (added or removed) that their
 * `suppressed` changed: their version rises and each gets a
 * `contact.updated` (`changed: ["suppressed"]`), so segments, webhooks and
 * sync clients follow. A domain may hold most of a tenant's contacts, so the
 * walk goes through the tenant's contacts in windows of
 * `SUPPRESSION_SCAN_ROWS`, one short transaction each (bounded locks and
 * WAL), its position kept in `suppression_announcements`: started right
 * after the suppression's commit, resumed by a sweep if a crash cut it
 * short, and walked by one process at a time (`FOR UPDATE SKIP LOCKED`).
 * `suppressed` itself is computed on read, so it is right from the commit
 * on; only the announcements follow.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxWriter, scopeOf } from '@sigil/platform';
import { CONTACTS_CONFIG, type ContactsConfig } from '../config';
import { snapshotOf } from '../contacts/contact.entity';
import { ContactsRepository } from '../contacts/contacts.repository';
import { SuppressionsRepository } from './suppressions.repository';

export type FanoutSettings = Pick<ContactsConfig, 'SUPPRESSION_SCAN_ROWS' | 'SUPPRESSION_SWEEP_INTERVAL_MS'>;

@Injectable()
export class SuppressionFanout implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SuppressionFanout');
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly suppressions: SuppressionsRepository,
    private readonly contacts: ContactsRepository,
    @Inject(CONTACTS_CONFIG) private readonly settings: FanoutSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.start(() => this.sweep()), this.settings.SUPPRESSION_SWEEP_INTERVAL_MS);
    this.timer.unref();
    this.start(() => this.sweep());
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Starts walking an announcement just committed; failures are logged and left to the sweep. */
  kick(id: string): void {
    this.start(() => this.walk(id));
  }

  /** Every announcement left unfinished (by a crash, or a walk that failed). */
  async sweep(): Promise<void> {
    for (const id of await this.suppressions.pendingAnnouncements(this.dataSource.manager)) await this.walk(id);
  }

  /** Walks one announcement to its end, a window per transaction. */
  async walk(id: string): Promise<void> {
    for (;;) {
      const more = await this.dataSource.transaction(async (m) => {
        const announcement = await this.suppressions.claimAnnouncement(m, id);
        if (!announcement) return false;
        const { touched, last } = await this.contacts.touchDomainWindow(
          m,
          scopeOf(announcement),
          announcement.domain,
          announcement.after_id,
          this.settings.SUPPRESSION_SCAN_ROWS,
        );
        await this.outbox.append(
          m,
          touched.map((r) => ({
            type: 'contact.updated' as const,
            tenant_id: announcement.tenant_id,
            mode: announcement.mode,
            key: r.id,
            data: { contact: snapshotOf(r), changed: ['suppressed'] },
          })),
        );
        await this.suppressions.advanceAnnouncement(m, id, last);
        return last !== null;
      });
      if (!more) return;
    }
  }

  private start(work: () => Promise<void>): void {
    const run = work()
      .catch((err: unknown) => this.logger.error(`suppression announcement: ${String(err)}`))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }
}
