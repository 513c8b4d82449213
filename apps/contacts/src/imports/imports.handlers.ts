/** Kafka request handlers of import jobs: call the service with the validated request, reply. */
import { ImportRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { ImportsService } from './imports.service';

@RpcHandlers()
export class ImportsHandlers {
  constructor(private readonly imports: ImportsService) {}

  @HandleRpc(ImportRpc.create)
  create({ ctx, input }: RpcCall<typeof ImportRpc.create>) {
    return this.imports.create(ctx, input.body);
  }

  @HandleRpc(ImportRpc.start)
  start({ ctx, input }: RpcCall<typeof ImportRpc.start>) {
    return this.imports.start(ctx, input.body);
  }

  @HandleRpc(ImportRpc.abort)
  abort({ ctx, input }: RpcCall<typeof ImportRpc.abort>) {
    return this.imports.abort(ctx, input.body.id);
  }

  @HandleRpc(ImportRpc.get)
  get({ ctx, input }: RpcCall<typeof ImportRpc.get>) {
    return this.imports.get(ctx, input.params.id);
  }

  @HandleRpc(ImportRpc.cancel)
  cancel({ ctx, input }: RpcCall<typeof ImportRpc.cancel>) {
    return this.imports.cancel(ctx, input.params.id);
  }

  @HandleRpc(ImportRpc.errors)
  errors({ ctx, input }: RpcCall<typeof ImportRpc.errors>) {
    return this.imports.errors(ctx, input.body.id, input.body.after, input.body.limit);
  }
}
