/**
 * Typed errors of the Sigil SDK: every non-2xx answer becomes a SigilError
 * (or the subclass for its status) carrying the error envelope's `code`,
 * `type`, `request_id` and per-field `details`, so callers branch on codes,
 * not on message text, and can quote the request id to support.
 */

export interface ErrorDetail {
  field: string;
  code: string;
  message: string;
}

interface ErrorEnvelope {
  error?: { status?: number; code?: string; type?: string; message?: string; request_id?: string; details?: ErrorDetail[]; [key: string]: unknown };
}

export class SigilError extends Error {
  override readonly name: string = 'SigilError';
  /** Stable machine-readable code, e.g. `validation_failed`, `not_found`, `rate_limit_exceeded`. */
  readonly code: string;
  readonly type: string;
  readonly status: number;
  /** The request id (`req_…`) the server logged this request under. */
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[];
  /** Everything else the envelope carried (e.g. `required_scope`). */
  readonly raw: Record<string, unknown>;
  /** Seconds the server asked to wait (429/503), if it said. */
  readonly retryAfter: number | undefined;

  constructor(status: number, body: unknown, headers?: Headers) {
    const error = (body as ErrorEnvelope | undefined)?.error ?? {};
    super(error.message ?? `HTTP ${status}`);
    this.status = error.status ?? status;
    this.code = error.code ?? (status >= 500 ? 'internal_error' : 'unknown_error');
    this.type = error.type ?? 'api_error';
    this.requestId = error.request_id ?? headers?.get('x-request-id') ?? undefined;
    this.details = error.details ?? [];
    this.raw = { ...error };
    const retryAfter = Number(headers?.get('retry-after'));
    this.retryAfter = Number.isFinite(retryAfter) && headers?.get('retry-after') ? retryAfter : undefined;
  }

  /** The snake_case spelling of `requestId`, as in the error envelope. */
  get request_id(): string | undefined {
    return this.requestId;
  }
}

export class ValidationError extends SigilError {
  override readonly name = 'ValidationError';
}
export class AuthenticationError extends SigilError {
  override readonly name = 'AuthenticationError';
}
export class PermissionDeniedError extends SigilError {
  override readonly name = 'PermissionDeniedError';
}
export class NotFoundError extends SigilError {
  override readonly name = 'NotFoundError';
}
export class ConflictError extends SigilError {
  override readonly name = 'ConflictError';
}
export class IdempotencyError extends SigilError {
  override readonly name = 'IdempotencyError';
}
export class RateLimitError extends SigilError {
  override readonly name = 'RateLimitError';
}
export class ServerError extends SigilError {
  override readonly name = 'ServerError';
}

/** No answer at all (connection refused, reset, timeout) after the retries. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A webhook whose signature, timestamp or headers do not verify. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

const BY_STATUS: Record<number, typeof SigilError> = {
  400: ValidationError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: IdempotencyError,
  429: RateLimitError,
};

/** Codes whose class is not their status's: a 422 is an idempotency error unless a required custom field is missing. */
const BY_CODE: Record<string, typeof SigilError> = {
  custom_field_required: ValidationError,
};

export function errorFor(status: number, body: unknown, headers?: Headers): SigilError {
  const code = (body as ErrorEnvelope | undefined)?.error?.code;
  const Class = (code !== undefined ? BY_CODE[code] : undefined) ?? BY_STATUS[status] ?? (status >= 500 ? ServerError : SigilError);
  return new Class(status, body, headers);
}
