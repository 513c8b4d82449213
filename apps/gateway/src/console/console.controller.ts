/**
 * Serves the web console (SPEC §11, built by `npm run build` into
 * dist/apps/console) at `/console`, and redirects `/` there. Every page path
 * answers the app's index.html (the console routes in the browser); hashed
 * assets are cached for a year. The Content-Security-Policy allows only the
 * console's own scripts, styles and same-origin API calls: no inline script,
 * no eval, no third-party origin, no framing.
 */
import { Controller, Get, Param, Res, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { DomainError, Public } from '@sigil/platform';
import { ConsoleFiles } from './console-files';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

@Controller()
@Public()
export class ConsoleController implements OnModuleInit {
  constructor(
    private readonly files: ConsoleFiles,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** `/console/` with its slash (what people type and bookmark): Nest's routes drop trailing slashes, so it is added on Fastify directly. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<{ get: (path: string, h: (req: unknown, reply: FastifyReply) => void) => void }>();
    fastify?.get('/console/', (_req, reply) => this.sendIndex(reply));
  }

  @Get()
  root(@Res() reply: FastifyReply): void {
    void reply.redirect('/console/', 302);
  }

  @Get('console')
  index(@Res() reply: FastifyReply): void {
    this.sendIndex(reply);
  }

  /** A console page (`/console/api-keys`, …): the app itself routes it. */
  @Get('console/:page')
  page(@Param('page') page: string, @Res() reply: FastifyReply): void {
    if (!/^[a-z-]{1,40}$/.test(page)) throw new DomainError(404, 'not_found', 'No such console page.');
    this.sendIndex(reply);
  }

  @Get('console/assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = this.files.asset(file);
    if (!asset) throw new DomainError(404, 'not_found', 'No such console asset.');
    void reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-type', asset.contentType)
      .send(asset.body);
  }

  private sendIndex(reply: FastifyReply): void {
    const html = this.files.index();
    if (!html) throw new DomainError(503, 'service_unavailable', 'The console is not built: run `npm run build`.');
    void reply.header('content-security-policy', CONSOLE_CSP).header('cache-control', 'no-cache').header('content-type', 'text/html; charset=utf-8').send(html);
  }
}
