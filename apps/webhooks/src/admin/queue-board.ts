/**
 * The operators' queue view: Bull Board at `/admin/queues` on this service's
 * own HTTP port, behind ADMIN_TOKEN (`Authorization: Bearer <token>`, or
 * Basic auth with the token as password for a browser). Not mounted when
 * ADMIN_TOKEN is unset. Also reports the queue depth by state on /metrics.
 */
import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Metrics, withoutNamespace } from '@sigil/platform';
import { WEBHOOKS_CONFIG, type WebhooksConfig } from '../config';
import { DeliveryQueue } from '../delivery/delivery-queue';

export const QUEUE_BOARD_PATH = '/admin/queues';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The credential a request presents: a Bearer token or a Basic password. */
export function presentedToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, value] = authorization.split(' ', 2);
  if (!value) return undefined;
  if (/^bearer$/i.test(scheme!)) return value.trim();
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queue: DeliveryQueue,
    private readonly metrics: Metrics,
    @Inject(WEBHOOKS_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onModuleInit(): void {
    this.metrics.trackQueueDepth(withoutNamespace(this.queue.queue.name), () => this.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'));
    const token = this.config.ADMIN_TOKEN;
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!token || !fastify) return;
    const board = new FastifyAdapter();
    board.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({ queues: [new BullMQAdapter(this.queue.queue)], serverAdapter: board });
    void fastify.register(
      async (scope) => {
        scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
          const given = presentedToken(req.headers.authorization);
          if (given && sameSecret(given, token)) return;
          await reply
            .code(401)
            .header('www-authenticate', 'Basic realm="sigil-admin"')
            .send({ error: { status: 401, code: 'invalid_token', type: 'authentication_error', message: 'Admin credential required.' } });
        });
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_BOARD_PATH },
    );
  }
}
