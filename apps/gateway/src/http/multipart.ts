/**
 * multipart/form-data for the route that takes a file (`POST /v1/imports`)
 * and for RFC 8058 one-click unsubscribe (mail clients SHOULD post
 * `List-Unsubscribe=One-Click` as multipart): the plugin's parser leaves the
 * body unread so the route reads it (limits are set per call there). Every
 * other route keeps answering a multipart body with 415, as it does any
 * content type but JSON.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '@sigil/platform';

export const UPLOAD_ROUTES = new Set(['/v1/imports', '/v1/subscriptions/unsubscribe']);

export async function installMultipart(fastify: FastifyInstance): Promise<void> {
  await fastify.register(multipart);
  fastify.addHook('preValidation', (req, _reply, done) => {
    if (!req.isMultipart() || UPLOAD_ROUTES.has(req.routeOptions.url ?? '')) return done();
    done(new DomainError(415, 'unsupported_media_type', 'This endpoint accepts application/json only.'));
  });
}
