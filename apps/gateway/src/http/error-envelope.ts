/**
 * Every error leaves the gateway in the SPEC's envelope. Domain errors keep
 * their code; framework and parser errors are mapped; anything else is a 500
 * `internal_error` with no internals.
 */
import { HttpException, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ErrorEnvelope } from '@sigil/contracts';
import { DomainError, InternalError, traceparentIds } from '@sigil/platform';

const logger = new Logger('Errors');

const UNSUPPORTED_MEDIA = 'This API takes JSON request bodies: send them with `Content-Type: application/json`.';

/**
 * Nest turns Fastify's parser errors into HttpExceptions carrying Fastify's
 * status; the gateway's own code only throws DomainErrors, so an
 * HttpException here always comes from the framework.
 */
export function toDomainError(err: unknown, req?: Pick<FastifyRequest, 'id' | 'sigilTraceparent'>): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status === 404) return new DomainError(404, 'not_found', 'No such route.');
    if (status === 413) return payloadTooLarge();
    if (status === 415) return new DomainError(415, 'unsupported_media_type', UNSUPPORTED_MEDIA);
    if (status === 400 && /json|body/i.test(err.message)) return new DomainError(400, 'invalid_json', 'The request body is not valid JSON.');
    if (status >= 400 && status < 500) return new DomainError(status, 'validation_failed', 'The request is malformed.');
  }
  // The request's id (and its trace's, when no span context carries it: http-tracing.ts) on the line.
  const line = err instanceof Error ? { msg: err.message, stack: err.stack } : { msg: String(err) };
  logger.error(req ? { ...line, request_id: req.id, ...traceparentIds(req.sigilTraceparent) } : line);
  return new InternalError();
}

function payloadTooLarge(): DomainError {
  return new DomainError(413, 'payload_too_large', 'The request body exceeds 1 MiB.');
}

/** Every error envelope built here, so the success-envelope hook (./envelope) passes them through unwrapped. */
const ERROR_ENVELOPES = new WeakSet<object>();

export function errorEnvelope(err: DomainError, requestId: string): ErrorEnvelope {
  const body = { error: { ...err.toBody(), request_id: requestId } };
  ERROR_ENVELOPES.add(body);
  return body;
}

export function isErrorEnvelope(body: object): boolean {
  return ERROR_ENVELOPES.has(body);
}
