/**
 * For service-level tests: a request as its handler hands it to the service,
 * i.e. validated against its definition (`defineRpc`). A request the contract
 * refuses rejects with the 400 its reply would carry.
 */
import type { RpcDefinition, RpcInputOf } from '@sigil/contracts';
import { parseRpcRequest } from '@sigil/platform';

export async function validatedRequest<D extends RpcDefinition>(def: D, request: unknown): Promise<RpcInputOf<D>> {
  return parseRpcRequest(def, request);
}
