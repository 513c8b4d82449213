/**
 * Domain errors thrown by services. They cross Kafka as an ErrorBody and
 * become the SPEC's error envelope at the gateway; anything else becomes a
 * 500 `internal_error` without internals.
 */
import type { ErrorBody, ErrorCode, ErrorDetail, ErrorType } from '@sigil/contracts';

const TYPE_OF_STATUS: Record<number, ErrorType> = {
  401: 'authentication_error',
  403: 'authorization_error',
  429: 'rate_limit_error',
};

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  get type(): ErrorType {
    return TYPE_OF_STATUS[this.status] ?? (this.status >= 500 ? 'api_error' : 'invalid_request_error');
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { status: this.status, code: this.code, type: this.type, message: this.message, ...this.extra };
    if (this.details?.length) body.details = this.details;
    return body;
  }

  static fromBody(body: ErrorBody): DomainError {
    const { status, code, message, details, type: _type, ...extra } = body;
    return new DomainError(status, code, message, details, extra);
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id?: string) {
    super(404, 'not_found', id ? `No ${what} with id '${id}'.` : `${what} not found.`);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(409, 'conflict', message, undefined, extra);
  }
}

export class ValidationFailed extends DomainError {
  constructor(details: ErrorDetail[], message = 'The request is invalid.') {
    super(400, 'validation_failed', message, details);
  }
}

/**
 * 422: a request the document accepts (it passed its schema) that the
 * tenant's own configuration refuses, e.g. a custom field the tenant made
 * required (`custom_field_required`). A distinct code from the 400
 * `validation_failed`, which means the request breaks the document itself.
 */
export class Unprocessable extends DomainError {
  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(422, code, message, details);
  }
}

export class Unauthenticated extends DomainError {
  constructor(code: ErrorCode, message: string) {
    super(401, code, message);
  }
}

export class Forbidden extends DomainError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(403, code, message, undefined, extra);
  }
}

export class UpstreamTimeout extends DomainError {
  constructor(service: string) {
    super(504, 'upstream_timeout', `The ${service} service did not answer in time.`);
  }
}

export class InternalError extends DomainError {
  constructor() {
    super(500, 'internal_error', 'An internal error occurred.');
  }
}

/** Any thrown value as a DomainError; unknown errors never leak their message. */
export function asDomainError(err: unknown): DomainError {
  return err instanceof DomainError ? err : new InternalError();
}
