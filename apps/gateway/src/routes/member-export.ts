/**
 * Streams an export of list or segment members: the gateway pages through
 * bounded chunks from the segments service and writes each to the HTTP
 * response as it arrives, asking for the next one meanwhile and honouring
 * back-pressure, so neither side ever holds more than two chunks. List
 * chunks carry member objects rendered here; segment chunks arrive as
 * rendered lines (the segments service has PostgreSQL write them), the bytes
 * of a raw reply written to the response as they came from Kafka, so the
 * gateway does no work per row or per byte.
 */
import type { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { SegmentContactView } from '@sigil/contracts';
import { UpstreamTimeout } from '@sigil/platform';
import { csvCell, writeText } from '../http/csv';

export const EXPORT_CHUNK_ROWS = 1000;
/** Rows asked per segment export chunk (text, capped in bytes by the segments service). */
export const SEGMENT_EXPORT_CHUNK_ROWS = 10000;
export const EXPORT_CHUNK_TIMEOUT_MS = 30000;

/** One chunk: rows, and what to ask for next (null cursor = the end). */
export interface ExportChunk<R> {
  members: R[];
  next: unknown | null;
}

export interface MemberExport<R extends SegmentContactView> {
  id: string;
  format: 'csv' | 'ndjson';
  /** The membership timestamp column of the CSV (`added_at`, `since`). */
  timeColumn: string;
  timeOf(row: R): string | null;
  /** A chunk; `next` is null for the first. */
  fetch(next: unknown | null): Promise<ExportChunk<R>>;
}

/** A chunk is a read that can be asked again: one retry after a timeout. */
export async function retryOnce<T>(ask: () => Promise<T>): Promise<T> {
  return ask().catch((err: unknown) => {
    if (err instanceof UpstreamTimeout) return ask();
    throw err;
  });
}

export async function streamMemberExport<R extends SegmentContactView>(reply: FastifyReply, spec: MemberExport<R>, logger: Logger): Promise<void> {
  const line = spec.format === 'csv' ? (m: R) => csvLine(m, spec.timeOf(m)) : (m: R) => `${JSON.stringify(m)}\n`;
  await streamTextExport(
    reply,
    {
      id: spec.id,
      format: spec.format,
      timeColumn: spec.timeColumn,
      fetch: async (next) => {
        const chunk = await spec.fetch(next);
        return { text: chunk.members.map(line).join(''), next: chunk.next };
      },
    },
    logger,
  );
}

/** An export whose chunks arrive as rendered lines (segment exports: rendered by the database, received as bytes). */
export interface TextExport {
  id: string;
  format: 'csv' | 'ndjson';
  /** The membership timestamp column of the CSV header (`added_at`, `since`). */
  timeColumn: string;
  /** A chunk of whole lines (text, or its UTF-8 bytes); `next` is null for the first, and null in the reply at the end. */
  fetch(next: unknown | null): Promise<{ text: string | Uint8Array; next: unknown | null }>;
}

export async function streamTextExport(reply: FastifyReply, spec: TextExport, logger: Logger): Promise<void> {
  // The first chunk comes before any byte is written, so a 404 still gets the error envelope.
  let chunk = await spec.fetch(null);
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': spec.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="${spec.id.replace(/[^\w-]/g, '')}.${spec.format}"`,
    'cache-control': 'no-store',
  });
  try {
    if (spec.format === 'csv') await writeText(out, `${[...CSV_COLUMNS, spec.timeColumn].join(',')}\r\n`);
    for (;;) {
      const next = chunk.next !== null ? spec.fetch(chunk.next) : undefined;
      next?.catch(() => undefined);
      if (chunk.text.length) await writeText(out, chunk.text);
      if (!next || out.destroyed) break;
      chunk = await next;
    }
    out.end();
  } catch (err) {
    // Headers are gone: the only honest signal left is an aborted response.
    logger.error(`export ${spec.id} aborted: ${String(err)}`);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

const CSV_COLUMNS = ['id', 'email', 'first_name', 'last_name', 'phone', 'tags', 'custom_fields', 'created_at', 'updated_at'] as const;

function csvLine(m: SegmentContactView, time: string | null): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    id: m.id,
    email: m.email,
    first_name: m.first_name ?? '',
    last_name: m.last_name ?? '',
    phone: m.phone ?? '',
    tags: m.tags.join(';'),
    custom_fields: Object.keys(m.custom_fields).length ? JSON.stringify(m.custom_fields) : '',
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
  return `${[...CSV_COLUMNS.map((c) => csvCell(cells[c], c === 'phone')), csvCell(time ?? '')].join(',')}\r\n`;
}
