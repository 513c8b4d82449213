import 'reflect-metadata';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig, MAX_BODY_BYTES, runService } from '@sigil/platform';
import { GatewayAppModule } from './app.module';
import { GatewayConfigSchema } from './config';
import { onClientError, onFrameworkError } from './http/framework-errors';
import { configureHttp } from './http/http-setup';
import { requestIdFor } from './http/request-id';

let config: ReturnType<typeof loadConfig<typeof GatewayConfigSchema>> | undefined;
runService(
  'gateway',
  () => (config ??= loadConfig(GatewayConfigSchema)),
  (c, kafka) => GatewayAppModule.forRoot(c, kafka),
  {
    rpcServer: false,
    adapter: () =>
      new FastifyAdapter({
        bodyLimit: MAX_BODY_BYTES,
        genReqId: requestIdFor,
        requestIdHeader: false,
        trustProxy: config!.TRUST_PROXY_HOPS || false,
        frameworkErrors: onFrameworkError,
        clientErrorHandler: onClientError,
        // No Nest middleware in the gateway: without @fastify/middie its onRequest hook is not run on every request
        // (a middleware added later fails at start: Fastify has no `use` then).
        skipMiddie: true,
      }),
    configure: (app) => configureHttp(app, config!),
  },
);
