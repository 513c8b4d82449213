/**
 * `GET /v1/openapi.json` (the document, built once from the code) and
 * `GET /docs` (a browsable page: Swagger UI served from the swagger-ui-dist
 * package, no CDN).
 */
import { Controller, Get, Param, Res, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { DomainError, Public } from '@sigil/platform';
import { buildOpenApi } from './openapi.builder';
import { packageVersion } from './package-version';

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);
const TYPES: Record<string, string> = { css: 'text/css', js: 'application/javascript', png: 'image/png' };

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sigil API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#ui', deepLinking: true });`;

@Controller()
@Public()
export class OpenApiController implements OnApplicationBootstrap {
  private document: string = '{}';
  private readonly assetDir: string = require.resolve('swagger-ui-dist/package.json').replace(/package\.json$/, '');

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    const controllers = this.discovery
      .getControllers()
      .map((w) => w.metatype as Type<unknown>)
      .filter(Boolean);
    this.document = JSON.stringify(buildOpenApi(controllers, packageVersion()));
  }

  @Get('v1/openapi.json')
  openapi(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'application/json; charset=utf-8').send(this.document);
  }

  @Get('docs')
  page(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/html; charset=utf-8').send(PAGE);
  }

  @Get('docs/init.js')
  init(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'application/javascript').send(INIT);
  }

  @Get('docs/assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const path = join(this.assetDir, file);
    if (!ASSETS.has(file) || !existsSync(path)) throw new DomainError(404, 'not_found', 'No such asset.');
    void reply.header('content-type', TYPES[file.split('.').pop()!] ?? 'application/octet-stream').send(readFileSync(path));
  }
}
