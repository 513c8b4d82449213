/**
 * The service side of request/reply: `@RpcHandlers()` marks a class of
 * `@MessagePattern` handlers. Each handler receives the payload and the
 * request context, runs inside that context and a span continuing the caller's
 * trace (logs carry the request and trace ids), and
 * whatever it throws goes back as an error reply instead of being lost.
 */
import {
  applyDecorators,
  Controller,
  Injectable,
  Logger,
  Optional,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
import { Observable, finalize, from, lastValueFrom, of } from 'rxjs';
import { serviceOfPattern, type PageMeta, type RequestContext, type RpcReply, type RpcRequest } from '@sigil/contracts';
import { asDomainError, DomainError, UpstreamTimeout } from '../errors/domain-errors';
import { idempotencyScope, IdempotencyLedger, runIdempotent } from '../idempotency/idempotency-ledger';
import { runWithContext } from '../logging/request-context';
import { extractTraceContext, recordFailure, spanIds, SpanKind, startSpan, withTraceContext } from '../tracing/trace-context';

/** A page of results, replied as `{data, page}`. */
export class Paged<T> {
  constructor(
    readonly data: T[],
    readonly page: PageMeta,
  ) {}
}

@Injectable()
export class RpcReplyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  /** Present in services that keep an idempotency ledger (see idempotency-ledger.ts). */
  constructor(@Optional() private readonly ledger?: IdempotencyLedger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<RpcReply> {
    const rpc = context.switchToRpc();
    const request = rpc.getData<RpcRequest>();
    const ctx: RequestContext | undefined = request?.ctx;
    const kafka = rpc.getContext<Partial<KafkaContext> | undefined>();
    const pattern = kafka?.getTopic?.() ?? context.getHandler?.()?.name ?? 'rpc';
    if (ctx?.deadline_ms !== undefined && Date.now() > ctx.deadline_ms) {
      // The caller has already answered 504: doing the work now would only delay live requests.
      this.logger.warn(`skipping ${pattern} for ${ctx.request_id}: its deadline passed ${Date.now() - ctx.deadline_ms} ms ago`);
      return of<RpcReply>({ error: new UpstreamTimeout(serviceOfPattern(pattern)).toBody() });
    }
    const ledger = this.ledger;
    const scope = ledger ? idempotencyScope(ctx, pattern) : undefined;
    return new Observable<RpcReply>((subscriber) => {
      // The caller's span (Kafka `traceparent` header) is the parent: one trace from the gateway to here.
      const { span, ctx: traced } = startSpan(pattern, {
        kind: SpanKind.SERVER,
        parent: extractTraceContext(kafka?.getMessage?.()?.headers, ctx?.trace_id),
        attributes: { 'messaging.system': 'kafka', 'rpc.method': pattern, 'sigil.request_id': ctx?.request_id ?? '' },
      });
      const started = performance.now();
      let outcome = 'ok';
      const handle = async (): Promise<RpcReply> => {
        try {
          // A retry of an idempotent write that was already done: its stored reply, not a second write.
          const earlier = scope && (await ledger!.earlierOutcome(scope));
          if (earlier) {
            outcome = 'idempotent_replay';
            return earlier;
          }
          const value: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const reply: RpcReply = value instanceof Paged ? { data: value.data, page: value.page } : { data: value };
          if (scope) await ledger!.complete(scope, reply);
          return reply;
        } catch (err) {
          // A concurrent duplicate lost the race on the ledger (or failed on what the first one wrote).
          const earlier = scope && (await ledger!.earlierOutcome(scope).catch(() => undefined));
          if (earlier) {
            outcome = 'idempotent_replay';
            return earlier;
          }
          if (!(err instanceof DomainError)) this.logger.error(err instanceof Error ? err : String(err));
          const error = asDomainError(err);
          outcome = error.code;
          recordFailure(span, err, error.status < 500);
          return { error: error.toBody() };
        }
      };
      return withTraceContext(traced, () =>
        runWithContext({ request_id: ctx?.request_id, trace_id: ctx?.trace_id, tenant_id: ctx?.tenant_id, principal: ctx?.principal, client: ctx?.client }, () =>
          runIdempotent(scope, () =>
            from(handle())
              .pipe(
                finalize(() => {
                  span.end();
                  const duration_ms = Math.round((performance.now() - started) * 10) / 10;
                  this.logger.debug({ msg: 'rpc handled', request_id: ctx?.request_id, ...spanIds(span), pattern, outcome, duration_ms });
                }),
              )
              .subscribe(subscriber),
          ),
        ),
      );
    });
  }
}

export function RpcHandlers(): ClassDecorator {
  return applyDecorators(Controller(), UseInterceptors(RpcReplyInterceptor));
}
