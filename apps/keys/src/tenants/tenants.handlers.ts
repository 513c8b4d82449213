/** Kafka request handlers of the operator's tenant administration (reached only through the gateway's admin-token routes). */
import { KeyRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { TenantsService } from './tenants.service';

@RpcHandlers()
export class TenantsHandlers {
  constructor(private readonly tenants: TenantsService) {}

  @HandleRpc(KeyRpc.adminUpdateTenant)
  adminUpdate({ input }: RpcCall<typeof KeyRpc.adminUpdateTenant>) {
    return this.tenants.adminUpdate(input.params.id, input.body);
  }
}
