/**
 * Metrics for one app in one import: the process registry labelled with the
 * service name, `GET /metrics`, and the HTTP request histogram.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { HttpMetricsHook } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics';

@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: Metrics, useFactory: () => Metrics.forProcess().labelService(service) }, HttpMetricsHook],
      exports: [Metrics],
    };
  }
}
