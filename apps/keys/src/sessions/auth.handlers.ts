/** Kafka request handlers of signup and sessions. */
import { KeyRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { SessionsService } from './sessions.service';

@RpcHandlers()
export class AuthHandlers {
  constructor(private readonly sessions: SessionsService) {}

  @HandleRpc(KeyRpc.signup)
  signup({ input }: RpcCall<typeof KeyRpc.signup>) {
    return this.sessions.signup(input.body);
  }

  @HandleRpc(KeyRpc.login)
  login({ input }: RpcCall<typeof KeyRpc.login>) {
    return this.sessions.login(input.body);
  }

  @HandleRpc(KeyRpc.refresh)
  refresh({ input }: RpcCall<typeof KeyRpc.refresh>) {
    return this.sessions.refresh(input.body);
  }

  @HandleRpc(KeyRpc.logout)
  logout({ input }: RpcCall<typeof KeyRpc.logout>) {
    return this.sessions.logout(input.body);
  }
}
