/**
 * Errors Fastify raises before any route runs (a malformed URL or escape, an
 * unparsable HTTP request) leave in the SPEC envelope too, with a request id,
 * and never echo the offending input.
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@sigil/platform';
import { errorEnvelope } from './error-envelope';
import { newRequestId } from './request-id';

const MALFORMED = () => new DomainError(400, 'validation_failed', 'The request is malformed.');

export function onFrameworkError(_err: Error, req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).header('x-request-id', req.id).header('content-type', 'application/json; charset=utf-8').send(errorEnvelope(MALFORMED(), req.id));
}

/** Requests too broken to parse never reach Fastify: answer on the socket itself. */
export function onClientError(_err: Error, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const requestId = newRequestId();
  const body = JSON.stringify(errorEnvelope(MALFORMED(), requestId));
  socket.end(
    `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
