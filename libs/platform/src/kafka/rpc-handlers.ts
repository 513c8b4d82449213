/**
 * The service side of request/reply: `@RpcHandlers()` marks a class of
 * `@HandleRpc` handlers (a Nest controller, so its dependencies are injected).
 * `ConcurrentServerKafka` takes each request from Kafka and `serveRpc` runs
 * the handler inside the request context and a span continuing the caller's
 * trace, and replies whatever it returns or throws.
 */
import { Controller } from '@nestjs/common';
import type { PageMeta } from '@sigil/contracts';

/** A page of results, replied as `{data, page}`. */
export class Paged<T> {
  constructor(
    readonly data: T[],
    readonly page: PageMeta,
  ) {}
}

/**
 * What a handler returned or threw, as a value. Nest calls the handler through
 * its exception layer, which would turn a thrown `DomainError` into its own
 * error shape; `@HandleRpc` hands the error over as a value instead, and
 * `serveRpc` throws it again on its side.
 */
export class HandlerOutcome {
  constructor(
    readonly failed: boolean,
    readonly value: unknown,
  ) {}

  static async of(run: () => unknown): Promise<HandlerOutcome> {
    try {
      return new HandlerOutcome(false, await run());
    } catch (err) {
      return new HandlerOutcome(true, err);
    }
  }
}

export function RpcHandlers(): ClassDecorator {
  return Controller();
}
