/** Kafka request handlers of API keys and usage. */
import { KeyRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { UsageService } from '../usage/usage.service';
import { ApiKeysService } from './api-keys.service';

@RpcHandlers()
export class ApiKeysHandlers {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly usage: UsageService,
  ) {}

  @HandleRpc(KeyRpc.createKey)
  create({ ctx, input }: RpcCall<typeof KeyRpc.createKey>) {
    return this.keys.create(ctx, input.body);
  }

  @HandleRpc(KeyRpc.listKeys, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof KeyRpc.listKeys>) {
    return this.keys.list(ctx, input.query);
  }

  @HandleRpc(KeyRpc.getKey, { readOnly: true })
  get({ ctx, input }: RpcCall<typeof KeyRpc.getKey>) {
    return this.keys.get(ctx, input.params.id);
  }

  @HandleRpc(KeyRpc.updateKey)
  update({ ctx, input }: RpcCall<typeof KeyRpc.updateKey>) {
    return this.keys.update(ctx, input.params.id, input.body);
  }

  @HandleRpc(KeyRpc.revokeKey)
  revoke({ ctx, input }: RpcCall<typeof KeyRpc.revokeKey>) {
    return this.keys.revoke(ctx, input.params.id);
  }

  @HandleRpc(KeyRpc.rotateKey)
  rotate({ ctx, input }: RpcCall<typeof KeyRpc.rotateKey>) {
    return this.keys.rotate(ctx, input.params.id, input.body);
  }

  @HandleRpc(KeyRpc.verifyKey, { readOnly: true })
  verify({ input }: RpcCall<typeof KeyRpc.verifyKey>) {
    return this.keys.verify(input.body.secret_hash);
  }

  @HandleRpc(KeyRpc.recordUsage)
  recordUsage({ input }: RpcCall<typeof KeyRpc.recordUsage>) {
    return this.usage.record(input.body.entries, input.body.hourly);
  }

  @HandleRpc(KeyRpc.usage, { readOnly: true })
  report({ ctx, input }: RpcCall<typeof KeyRpc.usage>) {
    return this.usage.report(ctx, input.query);
  }
}
