/** `/health/live` (the process answers) and `/health/ready` (its dependencies answer). */
import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ReadinessReport } from '@sigil/contracts';
import { Public } from '../http/public.decorator';
import { HEALTH_CHECKS, runChecks, type HealthCheck } from './health.checks';

@Controller('health')
@Public()
export class HealthController {
  constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await readiness(this.checks);
    reply.status(report.status === 'up' ? 200 : 503);
    return report;
  }
}

export async function readiness(checks: HealthCheck[]): Promise<ReadinessReport> {
  const results = await runChecks(checks);
  return { status: Object.values(results).every((s) => s === 'up') ? 'up' : 'down', checks: results };
}
