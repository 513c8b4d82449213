/**
 * `node dist/apps/gateway/src/openapi/write-openapi.js <file>`: writes the
 * OpenAPI document the gateway serves at `/v1/openapi.json`, built offline
 * from the same controllers and contracts schemas (no infrastructure), so the
 * SDKs under sdks/ are generated from a committed copy that CI can compare
 * with the code (sdks/generate.sh).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import type { Type } from '@nestjs/common';
import { GatewayAppModule } from '../app.module';
import { GatewayConfigSchema } from '../config';
import { buildOpenApi } from './openapi.builder';
import { packageVersion } from './package-version';

export function gatewayDocument(): Record<string, unknown> {
  // Only the module's controller list is read; nothing connects to Kafka or Redis.
  const module = GatewayAppModule.forRoot(GatewayConfigSchema.parse({}), { brokers: ['127.0.0.1:9092'], clientId: 'openapi-writer', partitions: 1 });
  return buildOpenApi(module.controllers as Type<unknown>[], packageVersion());
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: write-openapi.js <file>');
    process.exit(2);
  }
  writeFileSync(file, JSON.stringify(gatewayDocument(), null, 2) + '\n');
}
