/** Kafka request handler of the audit log query. */
import { KeyRpc } from '@sigil/contracts';
import { HandleRpc, RpcHandlers, type RpcCall } from '@sigil/platform';
import { AuditService } from './audit.service';

@RpcHandlers()
export class AuditHandlers {
  constructor(private readonly audit: AuditService) {}

  @HandleRpc(KeyRpc.auditLog, { readOnly: true })
  list({ ctx, input }: RpcCall<typeof KeyRpc.auditLog>) {
    return this.audit.list(ctx, input.query);
  }
}
