/**
 * Import jobs as the API sees them: reserve a job for an upload (options
 * checked against the tenant's custom fields), queue it once the gateway has
 * staged the file, read it, cancel it, page its error report. The rows are
 * written by ImportRunner, in the BullMQ worker.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ImportErrorsPage, ImportOptions, ImportView, RequestContext, StartImport } from '@sigil/contracts';
import { Conflict, newId, NotFound, ValidationFailed, scopeOf } from '@sigil/platform';
import { SegmentMembersClient } from '../contacts/segment-members.client';
import { CustomFieldDefinitions } from '../custom-fields/custom-field-definitions';
import { mappingProblems } from './import-rows';
import { ImportQueue } from './import-queue';
import { importView, ImportsRepository } from './imports.repository';

@Injectable()
export class ImportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly imports: ImportsRepository,
    private readonly definitions: CustomFieldDefinitions,
    private readonly queue: ImportQueue,
    private readonly members: SegmentMembersClient,
  ) {}

  async create(ctx: RequestContext, options: ImportOptions): Promise<{ id: string }> {
    const scope = scopeOf(ctx);
    const defs = await this.definitions.load(this.dataSource.manager, scope);
    const problems = mappingProblems(options, null, defs);
    // Checked once here; a list deleted while the job runs only stops receiving members.
    if (options.list_id && !(await this.members.listExists(ctx, options.list_id))) {
      problems.push({ field: 'list_id', code: 'not_found', message: `no list '${options.list_id}'` });
    }
    if (problems.length) throw new ValidationFailed(problems);
    const id = newId('imp');
    await this.imports.insert(this.dataSource.manager, scope, id, options);
    return { id };
  }

  /** The file is staged: check it is all there and that its header fits the mapping, then queue the job. */
  async start(ctx: RequestContext, req: StartImport): Promise<ImportView> {
    const scope = scopeOf(ctx);
    const view = await this.dataSource.transaction(async (m) => {
      const job = await this.imports.find(m, scope, req.id, true);
      if (!job || job.status !== 'uploading') throw new NotFound('import', req.id);
      const staged = await this.imports.stagedBytes(m, req.id);
      if (staged.bytes !== req.bytes) {
        throw new ValidationFailed([{ field: 'file', code: 'invalid', message: `the upload was cut short: ${staged.bytes} of ${req.bytes} bytes stored` }]);
      }
      if (job.options.format === 'csv') {
        const problems = mappingProblems(job.options, req.header, await this.definitions.load(m, scope));
        if (problems.length) throw new ValidationFailed(problems);
      }
      await this.imports.markQueued(m, req.id, req.bytes, req.rows_total, req.header, req.data_offset);
      return importView((await this.imports.find(m, scope, req.id))!);
    });
    await this.queue.enqueue(req.id);
    return view;
  }

  async abort(ctx: RequestContext, id: string): Promise<null> {
    await this.imports.delete(this.dataSource.manager, scopeOf(ctx), id);
    return null;
  }

  async get(ctx: RequestContext, id: string): Promise<ImportView> {
    const job = await this.imports.find(this.dataSource.manager, scopeOf(ctx), id);
    if (!job || job.status === 'uploading') throw new NotFound('import', id);
    return importView(job);
  }

  /** Stops the job after the chunk in flight (that chunk is rolled back); idempotent for a cancelled job. */
  async cancel(ctx: RequestContext, id: string): Promise<ImportView> {
    const scope = scopeOf(ctx);
    return this.dataSource.transaction(async (m) => {
      const job = await this.imports.find(m, scope, id, true);
      if (!job || job.status === 'uploading') throw new NotFound('import', id);
      if (job.status === 'completed' || job.status === 'failed') {
        throw new Conflict(`The import has already ${job.status}; there is nothing to cancel.`);
      }
      if (job.status !== 'cancelled') {
        await this.imports.transition(m, id, ['queued', 'running'], 'cancelled');
        await this.imports.dropStaging(m, id);
      }
      return importView((await this.imports.find(m, scope, id))!);
    });
  }

  async errors(ctx: RequestContext, id: string, after: number, limit: number): Promise<ImportErrorsPage> {
    const job = await this.imports.find(this.dataSource.manager, scopeOf(ctx), id);
    if (!job || job.status === 'uploading') throw new NotFound('import', id);
    const errors = await this.imports.errorsPage(this.dataSource.manager, id, after, limit);
    return { errors, next_after: errors.length === limit ? errors[errors.length - 1]!.row : null };
  }
}
