/**
 * The service side of request/reply: `@RpcHandlers()` marks a class of
 * `@MessagePattern` handlers. Each handler receives the payload and the
 * request context, runs inside that context (logs carry the request id), and
 * whatever it throws goes back as an error reply instead of being lost.
 */
import {
  applyDecorators,
  Controller,
  Injectable,
  Logger,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable, catchError, from, map, of } from 'rxjs';
import type { PageMeta, RequestContext, RpcReply, RpcRequest } from '@sigil/contracts';
import { asDomainError, DomainError } from '../errors/domain-errors';
import { runWithContext } from '../logging/request-context';

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

  intercept(context: ExecutionContext, next: CallHandler): Observable<RpcReply> {
    const request = context.switchToRpc().getData<RpcRequest>();
    const ctx: RequestContext | undefined = request?.ctx;
    return new Observable<RpcReply>((subscriber) =>
      runWithContext({ request_id: ctx?.request_id, trace_id: ctx?.trace_id, tenant_id: ctx?.tenant_id }, () =>
        from(next.handle())
          .pipe(
            map((value: unknown): RpcReply => (value instanceof Paged ? { data: value.data, page: value.page } : { data: value })),
            catchError((err: unknown) => {
              if (!(err instanceof DomainError)) this.logger.error(err instanceof Error ? err : String(err));
              return of<RpcReply>({ error: asDomainError(err).toBody() });
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }
}

export function RpcHandlers(): ClassDecorator {
  return applyDecorators(Controller(), UseInterceptors(RpcReplyInterceptor));
}
