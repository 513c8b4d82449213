/** Kafka request handlers of signup and sessions. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeyPatterns, type RpcRequest } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { SessionsService } from './sessions.service';

@RpcHandlers()
export class AuthHandlers {
  constructor(private readonly sessions: SessionsService) {}

  @MessagePattern(KeyPatterns.signup)
  signup(@Payload() req: RpcRequest) {
    return this.sessions.signup(req.payload);
  }

  @MessagePattern(KeyPatterns.login)
  login(@Payload() req: RpcRequest) {
    return this.sessions.login(req.payload);
  }

  @MessagePattern(KeyPatterns.refresh)
  refresh(@Payload() req: RpcRequest) {
    return this.sessions.refresh(req.payload);
  }

  @MessagePattern(KeyPatterns.logout)
  logout(@Payload() req: RpcRequest) {
    return this.sessions.logout(req.payload);
  }
}
