/** Kafka request handler of GitHub secret scanning reports (reached only through the gateway's signature-checked partner endpoint). */
import { KeyRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { LeakedKeysService } from './leaked-keys.service';

@RpcHandlers()
export class LeakedKeysHandlers {
  constructor(private readonly leaks: LeakedKeysService) {}

  @HandleRpc(KeyRpc.reportLeakedKeys)
  report({ input }: RpcCall<typeof KeyRpc.reportLeakedKeys>) {
    return this.leaks.report(input.body);
  }
}
