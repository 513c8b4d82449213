/**
 * A Nest LoggerService writing one JSON object per line, with the request
 * context and the trace/span ids: the active span's, else those of the
 * request's unrecorded `traceparent` in the context (`trace_id`, set by
 * serveRpc when no span is recorded).
 */
import type { LoggerService } from '@nestjs/common';
import { activeTraceIds, traceparentIds } from './trace-ids';
import { currentContext } from './request-context';

/** `00-<32 hex>-<16 hex>-<2 hex>`. */
const TRACEPARENT_LENGTH = 55;
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    level: LogLevel = 'info',
    private readonly out: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    // Nest passes the context (class name) last, and for errors a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const request = currentContext();
    const active = activeTraceIds();
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...(context ? { context } : {}),
      ...request,
      ...(active.trace_id === undefined && request?.trace_id?.length === TRACEPARENT_LENGTH ? traceparentIds(request.trace_id) : active),
    };
    if (message instanceof Error) {
      entry['msg'] = message.message;
      entry['stack'] = message.stack;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(entry, message);
    } else {
      entry['msg'] = String(message);
    }
    const extra = rest.filter((r) => r !== undefined);
    if (extra.length === 1 && typeof extra[0] === 'string') entry['stack'] = extra[0];
    else if (extra.length) entry['extra'] = extra;
    this.out(JSON.stringify(entry));
  }
}
