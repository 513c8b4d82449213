/**
 * `/v1/admin/*`: the operator's API (SPEC §15), authenticated by
 * SIGIL_ADMIN_TOKEN only (AdminTokenGuard). Public as far as tenant
 * credentials go — no tenant key or session is accepted here — and left out
 * of the tenants' OpenAPI document and SDKs.
 */
import { Body, Controller, HttpCode, Param, Patch, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AdminUpdateTenantSchema, KeyRpc, type AdminTenantView } from '@sigil/contracts';
import { Public, RpcClient } from '@sigil/platform';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { clientOf, traceOf } from '../auth/request-context';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';
import { forward } from './forward';

@Controller('v1/admin')
@Public()
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly rpc: RpcClient) {}

  @Patch('tenants/:id')
  @HttpCode(200)
  @ApiDoc({
    rpc: KeyRpc.adminUpdateTenant,
    tag: 'Admin',
    summary: "Operator: change a tenant's plan or give it custom limits (effective at every gateway within 1 s)",
    body: AdminUpdateTenantSchema,
  })
  updateTenant(@Req() req: FastifyRequest, @Param('id') id: string, @Body() body: unknown): Promise<RouteResult<AdminTenantView>> {
    // The operator's client goes along: the change's audit entry names the operator and where they called from.
    const ctx = {
      tenant_id: 'system',
      mode: 'live' as const,
      request_id: req.id,
      principal: { kind: 'system' as const, id: 'operator', scopes: [] },
      client: clientOf(req),
      ...traceOf(req),
    };
    return forward(this.rpc, KeyRpc.adminUpdateTenant, ctx, { params: { id }, body });
  }
}
