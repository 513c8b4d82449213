/** `GET /v1/audit-log`: who changed what, when and from where (SPEC §15); read-only, no route changes it. */
import { Controller, Get, Query } from '@nestjs/common';
import { AuditLogQuerySchema, KeyRpc, type AuditEntryView, type RequestContext } from '@sigil/contracts';
import { RpcClient } from '@sigil/platform';
import { Ctx } from '../auth/request-context';
import { forward } from './forward';
import { RequireScope } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('v1/audit-log')
export class AuditLogController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @RequireScope('audit:read')
  @ApiDoc({
    rpc: KeyRpc.auditLog,
    tag: 'Account',
    summary: 'Audit log: changes made through the API and sign-ins, newest first (filters combine; secrets redacted)',
    query: AuditLogQuerySchema,
    paginated: true,
  })
  list(@Ctx() ctx: RequestContext, @Query() query: unknown): Promise<RouteResult<AuditEntryView[]>> {
    return forward(this.rpc, KeyRpc.auditLog, ctx, { query });
  }
}
