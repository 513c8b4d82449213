/**
 * The BullMQ queue of import jobs. The job id is the import id, so queueing
 * the same import twice (a retried start, the sweep) is a no-op; the job
 * carries only the id — the state (position, counts) is in PostgreSQL.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { IMPORT_QUEUE, IMPORT_QUEUE_PREFIX } from '@sigil/contracts';
import { CONTACTS_CONFIG, type ContactsConfig } from '../config';

export interface ImportJobData {
  import_id: string;
}

/** BullMQ needs connections that wait for Redis instead of failing commands. */
export function importConnection(url: string, name: string): Redis {
  return new Redis(url, { connectionName: `sigil-contacts-${name}`, maxRetriesPerRequest: null, enableReadyCheck: false });
}

@Injectable()
export class ImportQueue implements OnModuleDestroy {
  readonly queue: Queue<ImportJobData>;
  private readonly connection: Redis;

  constructor(@Inject(CONTACTS_CONFIG) config: ContactsConfig) {
    this.connection = importConnection(config.REDIS_URL, 'import-queue');
    this.queue = new Queue<ImportJobData>(IMPORT_QUEUE, {
      connection: this.connection,
      prefix: IMPORT_QUEUE_PREFIX,
      defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
    });
  }

  async enqueue(importId: string): Promise<void> {
    await this.queue.add('import', { import_id: importId }, { jobId: importId });
  }

  /** Queues the import again unless a live job holds it (the job is gone, or finished while the database says otherwise). */
  async ensureQueued(importId: string): Promise<boolean> {
    const job = await this.queue.getJob(importId);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await job.remove();
    }
    await this.enqueue(importId);
    return true;
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
