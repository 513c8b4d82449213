/**
 * `GET /v1/health`: readiness of the gateway and of each service, without
 * auth and without internals (only up/down per component).
 */
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HealthRpc, named } from '@sigil/contracts';
import { HEALTH_CHECKS, readiness, RpcClient, type HealthCheck } from '@sigil/platform';
import { Public } from '../auth/scopes.decorator';
import type { RouteResult } from '../http/envelope';
import { ApiDoc } from '../openapi/api-doc.decorator';

const PROBE_TIMEOUT_MS = 1500;

export interface PlatformHealth {
  status: 'up' | 'down';
  services: Record<string, 'up' | 'down'>;
}

const UP_DOWN = z.enum(['up', 'down']);
const PlatformHealthSchema = named(
  'PlatformHealth',
  z.object({ status: UP_DOWN, services: z.record(UP_DOWN).describe('`gateway` and each service.') }) satisfies z.ZodType<PlatformHealth>,
);

@Controller('v1/health')
@Public()
export class PlatformHealthController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
  ) {}

  @Get()
  @ApiDoc({ tag: 'Health', summary: 'Readiness of the gateway and of each service (no auth)', response: PlatformHealthSchema })
  async health(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<RouteResult<PlatformHealth>> {
    const ctx = { tenant_id: 'system', mode: 'live' as const, request_id: req.id };
    const probes = Object.entries(HealthRpc).map(async ([service, def]) => {
      try {
        const { data } = await this.rpc.call(def, ctx, {}, PROBE_TIMEOUT_MS);
        return [service, data.status] as const;
      } catch {
        return [service, 'down'] as const;
      }
    });
    const gateway = await readiness(this.checks);
    const services = { gateway: gateway.status, ...Object.fromEntries(await Promise.all(probes)) };
    const status = Object.values(services).every((s) => s === 'up') ? 'up' : 'down';
    reply.status(status === 'up' ? 200 : 503);
    return { data: { status, services } };
  }
}
