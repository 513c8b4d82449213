/** Answers the gateway's aggregate health probe over Kafka with this service's readiness. */
import { Inject, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { ReadinessReport } from '@sigil/contracts';
import { RpcHandlers } from '../kafka/rpc-handlers';
import { HEALTH_CHECKS, type HealthCheck } from './health.checks';
import { readiness } from './health.controller';

export function healthHandlersFor(pattern: string): Type<unknown> {
  @RpcHandlers()
  class HealthHandlers {
    constructor(@Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[]) {}

    @MessagePattern(pattern)
    ready(): Promise<ReadinessReport> {
      return readiness(this.checks);
    }
  }
  return HealthHandlers;
}
