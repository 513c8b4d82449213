/**
 * Times every HTTP request in a Fastify `onResponse` hook, so the histogram
 * also sees what never reaches a controller: 401/403 from guards, 404s,
 * 413/415 from body parsing. The route label is the matched template.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Metrics, routeLabel } from './metrics';

const HOOKED = Symbol.for('sigil.http-metrics');

export function installHttpMetrics(fastify: FastifyInstance, metrics: Metrics): void {
  const marked = fastify as FastifyInstance & { [HOOKED]?: boolean };
  if (marked[HOOKED]) return;
  marked[HOOKED] = true;
  // Callback style: an async hook costs a promise and a microtask turn per request.
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequestDuration.observe(request.method, routeLabel(request.routeOptions.url), reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const instance: unknown = this.adapterHost.httpAdapter?.getInstance();
    // Only Fastify apps are timed; a Kafka-only app has no HTTP adapter.
    if (instance && typeof (instance as FastifyInstance).addHook === 'function') {
      installHttpMetrics(instance as FastifyInstance, this.metrics);
    }
  }
}
