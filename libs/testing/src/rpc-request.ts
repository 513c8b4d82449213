/**
 * For service-level tests: a request as its handler hands it to the service,
 * i.e. validated against its definition (`defineRpc`). A request the contract
 * refuses rejects with the 400 its reply would carry.
 */
import type { RpcDefinition, RpcInputOf } from '@sigil/contracts';
import { DomainError, parseRpcRequest } from '@sigil/platform';

export async function validatedRequest<D extends RpcDefinition>(def: D, request: unknown): Promise<RpcInputOf<D>> {
  return parseRpcRequest(def, request);
}

/** The domain error a service call rejected with (the test fails if it resolved, or threw anything else). */
export async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}
