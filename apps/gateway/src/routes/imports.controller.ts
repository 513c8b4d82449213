/**
 * `/v1/imports`: import jobs (SPEC §12). The upload is the one route whose
 * body is not JSON: a multipart form with a JSON `options` part first and
 * the `file` part after it, streamed into staging (ImportStaging) as it
 * arrives — never held whole. The job is reserved before the first byte is
 * stored and queued once the last is; any failure in between removes the
 * reservation and every staged byte. Reads, cancel and the error report go
 * to the contacts service over Kafka; the report streams as CSV page by page.
 */
import { Controller, Get, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import {
  IMPORT_ERRORS_PAGE,
  ImportOptionsSchema,
  ImportRpc,
  MAX_IMPORT_BYTES,
  type ImportOptions,
  type ImportRowError,
  type ImportView,
  type RequestContext,
} from '@sigil/contracts';
import { DomainError, RpcClient, ValidationFailed } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { csvCell, writeText } from '../http/csv';
import { ImportStaging } from '../imports/import-staging';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';
import { retryOnce } from './member-export';

/** Room for the multipart framing and the options part around a file of the maximum size. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
const MAX_OPTIONS_BYTES = 64 * 1024;
const ERRORS_PAGE_TIMEOUT_MS = 30000;

export class UploadTooLarge extends DomainError {
  constructor() {
    super(413, 'payload_too_large', `An import file holds at most ${MAX_IMPORT_BYTES} bytes (200 MB).`, undefined, { max_bytes: MAX_IMPORT_BYTES });
  }
}

function badUpload(field: string, message: string): DomainError {
  return new ValidationFailed([{ field, code: 'invalid', message }], 'The upload is invalid.');
}

@Controller('v1/imports')
export class ImportsController {
  private readonly logger = new Logger('ImportsController');

  constructor(
    private readonly rpc: RpcClient,
    private readonly staging: ImportStaging,
  ) {}

  @Post()
  @RequireScope('contacts:write')
  @HttpCode(202)
  @ApiDoc({
    // The job as `start` answers it (the reply of `create`, its id, stays inside the gateway).
    response: ImportRpc.start.response,
    tag: 'Imports',
    summary: 'Start an import job from a CSV or NDJSON file (multipart: `options` part, then `file` part; ≤ 200 MB)',
    status: 202,
    upload: {
      options: ImportOptionsSchema,
      file: 'The CSV (with a header row) or NDJSON file, UTF-8, at most 200 MB.',
      // The service refuses (400, `mapping.<column>`) a CSV without a mapped column.
      relations: [{ kind: 'csv-header-names', field: 'file', keys_of: 'options.mapping', format_of: 'options.format' }],
    },
  })
  async create(@Ctx() ctx: RequestContext, @Req() req: FastifyRequest): Promise<RouteResult<ImportView>> {
    if (!req.isMultipart()) throw new DomainError(415, 'unsupported_media_type', 'Send the import as multipart/form-data: an `options` part, then a `file` part.');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES + MULTIPART_OVERHEAD_BYTES) throw new UploadTooLarge();
    if (!this.staging.available) throw new DomainError(503, 'service_unavailable', 'Imports are not configured on this gateway.');

    const parts = req.parts({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 1, parts: 2, fieldSize: MAX_OPTIONS_BYTES } });
    const first = await nextPart(parts);
    if (!first || first.type !== 'field' || first.fieldname !== 'options') {
      throw badUpload('options', 'the first part must be `options` (JSON), before the `file` part');
    }
    if (first.valueTruncated) throw badUpload('options', `the options part holds at most ${MAX_OPTIONS_BYTES} bytes`);
    let options: unknown;
    try {
      // A part sent as `application/json` (the Python SDK does) may arrive parsed by @fastify/multipart; a plain one as text.
      options = typeof first.value === 'string' ? JSON.parse(first.value) : first.value;
    } catch {
      throw new DomainError(400, 'invalid_json', 'The `options` part is not valid JSON.');
    }
    const { id } = (await forward(this.rpc, ImportRpc.create, ctx, { body: options })).data;
    try {
      const file = await nextPart(parts);
      if (!file || file.type !== 'file' || file.fieldname !== 'file') throw badUpload('file', 'a `file` part must follow `options`');
      // The service validated the options; only the format is needed here.
      const format = (options as ImportOptions).format;
      const staged = await this.staging.stage(id, file.file, format);
      if (file.file.truncated) throw new UploadTooLarge();
      if (await nextPart(parts)) throw badUpload('file', 'send one `file` part and nothing after it');
      return await forward(this.rpc, ImportRpc.start, ctx, { body: { id, ...staged } });
    } catch (err) {
      await forward(this.rpc, ImportRpc.abort, ctx, { body: { id } }).catch((e: unknown) => this.logger.warn(`import ${id}: abort failed: ${String(e)}`));
      throw err;
    }
  }

  @Get(':id')
  @RequireScope('contacts:write')
  @ApiDoc({ rpc: ImportRpc.get, tag: 'Imports', summary: 'An import job: status, rows and counts' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ImportView>> {
    return forward(this.rpc, ImportRpc.get, ctx, { params: { id } });
  }

  @Post(':id/cancel')
  @RequireScope('contacts:write')
  @HttpCode(200)
  @ApiDoc({ rpc: ImportRpc.cancel, tag: 'Imports', summary: 'Cancel an import job (rows already written stay)' })
  cancel(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<RouteResult<ImportView>> {
    return forward(this.rpc, ImportRpc.cancel, ctx, { params: { id } });
  }

  @Get(':id/errors')
  @RequireScope('contacts:write')
  @ApiDoc({ tag: 'Imports', summary: 'The failed rows of an import job, with the reason (CSV, streamed)', streamed: ['text/csv'] })
  async errors(@Ctx() ctx: RequestContext, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const fetchPage = (after: number) =>
      retryOnce(() => this.rpc.call(ImportRpc.errors, ctx, { body: { id, after, limit: IMPORT_ERRORS_PAGE } }, ERRORS_PAGE_TIMEOUT_MS));
    // The first page comes before any byte is written, so a 404 still gets the error envelope.
    let page = (await fetchPage(0)).data;
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${id.replace(/[^\w-]/g, '')}-errors.csv"`,
      'cache-control': 'no-store',
    });
    try {
      await writeText(out, 'row,code,reason,data\r\n');
      for (;;) {
        const next = page.next_after !== null ? fetchPage(page.next_after) : undefined;
        next?.catch(() => undefined);
        if (page.errors.length) await writeText(out, page.errors.map(errorLine).join(''));
        if (!next || out.destroyed) break;
        page = (await next).data;
      }
      out.end();
    } catch (err) {
      this.logger.error(`import ${id} error report aborted: ${String(err)}`);
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function errorLine(e: ImportRowError): string {
  return `${e.row},${csvCell(e.code)},${csvCell(e.reason)},${csvCell(e.data)}\r\n`;
}

/** The next multipart part, with the plugin's limit errors as the API's. */
export async function nextPart(parts: AsyncIterableIterator<Multipart>): Promise<Multipart | undefined> {
  try {
    const next = await parts.next();
    return next.done ? undefined : next.value;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw badUpload('file', 'send exactly two parts: `options`, then `file`');
    }
    // An `application/json` part that does not parse (@fastify/multipart tries at once).
    if (code === 'FST_INVALID_JSON_FIELD_ERROR') throw new DomainError(400, 'invalid_json', 'The `options` part is not valid JSON.');
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new DomainError(415, 'unsupported_media_type', 'Send the import as multipart/form-data.');
    throw badUpload('file', `the multipart body is malformed: ${(err as Error).message}`);
  }
}
