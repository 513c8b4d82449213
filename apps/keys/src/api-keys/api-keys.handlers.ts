/** Kafka request handlers of API keys and usage. */
import { MessagePattern, Payload } from '@nestjs/microservices';
import { KeyPatterns, type RpcRequest, type UsageEntry } from '@sigil/contracts';
import { RpcHandlers } from '@sigil/platform';
import { UsageService } from '../usage/usage.service';
import { ApiKeysService } from './api-keys.service';

interface KeyIdPayload {
  id?: unknown;
  body?: unknown;
}

@RpcHandlers()
export class ApiKeysHandlers {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly usage: UsageService,
  ) {}

  @MessagePattern(KeyPatterns.createKey)
  create(@Payload() req: RpcRequest) {
    return this.keys.create(req.ctx, req.payload);
  }

  @MessagePattern(KeyPatterns.listKeys)
  list(@Payload() req: RpcRequest) {
    return this.keys.list(req.ctx, req.payload);
  }

  @MessagePattern(KeyPatterns.getKey)
  get(@Payload() req: RpcRequest<KeyIdPayload>) {
    return this.keys.get(req.ctx, req.payload?.id);
  }

  @MessagePattern(KeyPatterns.updateKey)
  update(@Payload() req: RpcRequest<KeyIdPayload>) {
    return this.keys.update(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(KeyPatterns.revokeKey)
  revoke(@Payload() req: RpcRequest<KeyIdPayload>) {
    return this.keys.revoke(req.ctx, req.payload?.id);
  }

  @MessagePattern(KeyPatterns.rotateKey)
  rotate(@Payload() req: RpcRequest<KeyIdPayload>) {
    return this.keys.rotate(req.ctx, req.payload?.id, req.payload?.body);
  }

  @MessagePattern(KeyPatterns.verifyKey)
  verify(@Payload() req: RpcRequest<{ secret_hash?: unknown }>) {
    return this.keys.verify(req.payload?.secret_hash);
  }

  @MessagePattern(KeyPatterns.recordUsage)
  recordUsage(@Payload() req: RpcRequest<{ entries: UsageEntry[] }>) {
    return this.usage.record(req.payload?.entries);
  }

  @MessagePattern(KeyPatterns.usage)
  report(@Payload() req: RpcRequest) {
    return this.usage.report(req.ctx, req.payload);
  }
}
