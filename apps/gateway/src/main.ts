import 'reflect-metadata';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { loadConfig, MAX_BODY_BYTES, runService } from '@sigil/platform';
import { GatewayAppModule } from './app.module';
import { GatewayConfigSchema } from './config';
import { onClientError, onFrameworkError } from './http/framework-errors';
import { configureHttp } from './http/http-setup';
import { requestIdFor } from './http/request-id';

/**
 * Longest path parameter the router matches, as it sees it (percent-encoded): an `external_id` is up to 255
 * characters (ExternalIdSchema), each up to 9 encoded characters (`%E2%82%AC`; a pair of UTF-16 units, 12).
 * Fastify's default, 100, answered a valid 101-character id with a 400 "The request is malformed." (its
 * FST_ERR_MAX_PARAM_LENGTH, through frameworkErrors), which the document does not allow (the fuzz's
 * coverage phase found it: `PUT /v1/contacts/by-external-id/{external_id}` with 254 characters).
 */
const MAX_PATH_PARAM_LENGTH = 255 * 9;

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
        routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
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
