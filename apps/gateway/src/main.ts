import 'reflect-metadata';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig, MAX_BODY_BYTES, runService } from '@sigil/platform';
import { GatewayAppModule } from './app.module';
import { GatewayConfigSchema } from './config';
import { configureHttp } from './http/http-setup';
import { requestIdFor } from './http/request-id';

runService('gateway', () => loadConfig(GatewayConfigSchema), (config, kafka) => GatewayAppModule.forRoot(config, kafka), {
  rpcServer: false,
  adapter: new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, genReqId: requestIdFor, requestIdHeader: false }),
  configure: configureHttp,
});
