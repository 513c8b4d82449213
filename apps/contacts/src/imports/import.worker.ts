/**
 * The BullMQ worker of import jobs, in the contacts process: thin — it runs
 * ImportRunner for the job's import id. A worker killed mid-job loses its
 * lock; BullMQ's stalled-job check hands the job to a live worker (or to
 * this one restarted), which resumes from the position in PostgreSQL. A
 * periodic sweep re-queues jobs the database has as unfinished but the
 * queue has lost, and deletes uploads abandoned half-way.
 */
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { IMPORT_QUEUE, IMPORT_QUEUE_PREFIX } from '@sigil/contracts';
import { CONTACTS_CONFIG, type ContactsConfig } from '../config';
import { ImportRunner } from './import-runner';
import { importConnection, ImportQueue, type ImportJobData } from './import-queue';
import { ImportsRepository } from './imports.repository';

/** An upload still `uploading` after this long has lost its gateway. */
const ABANDONED_UPLOAD_SECONDS = 3600;

@Injectable()
export class ImportWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ImportWorker');
  private worker: Worker<ImportJobData> | undefined;
  private connection: Redis | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runner: ImportRunner,
    private readonly queue: ImportQueue,
    private readonly imports: ImportsRepository,
    private readonly dataSource: DataSource,
    @Inject(CONTACTS_CONFIG) private readonly config: ContactsConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = importConnection(this.config.REDIS_URL, 'import-worker');
    this.worker = new Worker<ImportJobData>(IMPORT_QUEUE, (job) => this.process(job), {
      connection: this.connection,
      prefix: IMPORT_QUEUE_PREFIX,
      concurrency: this.config.IMPORT_CONCURRENCY,
      lockDuration: this.config.IMPORT_JOB_LOCK_MS,
      stalledInterval: Math.max(500, Math.floor(this.config.IMPORT_JOB_LOCK_MS / 2)),
      // A job stalls each time its worker dies; resuming is always safe, so crashes never fail it.
      maxStalledCount: 1000,
    });
    this.worker.on('error', (err) => this.logger.error(`worker: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        void this.runner.fail(job.data.import_id, `the import stopped after ${job.attemptsMade} attempts: ${err.message}`).catch(() => undefined);
      }
    });
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.IMPORT_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async process(job: Job<ImportJobData>): Promise<string> {
    const outcome = await this.runner.run(job.data.import_id);
    this.logger.log(`import ${job.data.import_id}: ${outcome}`);
    return outcome;
  }

  async sweep(): Promise<void> {
    try {
      const m = this.dataSource.manager;
      for (const id of await this.imports.unfinished(m)) {
        if (await this.queue.ensureQueued(id)) this.logger.warn(`import ${id} was not queued: queued again`);
      }
      const removed = await this.imports.deleteAbandonedUploads(m, ABANDONED_UPLOAD_SECONDS);
      if (removed) this.logger.warn(`${removed} abandoned upload(s) removed`);
    } catch (err) {
      this.logger.error(`sweep: ${String(err)}`);
    }
  }

  /** Lets the batch in flight commit before the process exits; the job is picked up again on the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.worker?.close();
    this.connection?.disconnect();
  }
}
