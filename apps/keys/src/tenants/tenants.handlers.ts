/** Kafka request handlers of tenants: the operator's administration (reached only through the gateway's admin-token routes) and the tenant's own settings. */
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

  @HandleRpc(KeyRpc.getSettings, { readOnly: true })
  settings({ ctx }: RpcCall<typeof KeyRpc.getSettings>) {
    return this.tenants.settings(ctx);
  }

  @HandleRpc(KeyRpc.updateSettings)
  updateSettings({ ctx, input }: RpcCall<typeof KeyRpc.updateSettings>) {
    return this.tenants.updateSettings(ctx, input.body);
  }
}
