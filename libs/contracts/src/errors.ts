/** Error codes and types of the public error envelope (SPEC §2). */
export const ErrorCodes = [
  'missing_api_key',
  'invalid_api_key',
  'expired_api_key',
  'revoked_api_key',
  'invalid_token',
  'token_expired',
  'token_used',
  'invalid_credentials',
  'invalid_signature',
  'replayed_request',
  'insufficient_scope',
  'ip_not_allowed',
  'plan_limit_exceeded',
  'invitation_invalid',
  'invitation_expired',
  'invitation_used',
  'invitation_revoked',
  'validation_failed',
  'invalid_json',
  'custom_field_required',
  'not_found',
  'method_not_allowed',
  'conflict',
  'idempotency_key_reuse',
  'idempotency_key_in_flight',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limit_exceeded',
  'rate_limiter_unavailable',
  'not_implemented',
  'upstream_timeout',
  'service_unavailable',
  'internal_error',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

export type ErrorType = 'authentication_error' | 'authorization_error' | 'invalid_request_error' | 'rate_limit_error' | 'api_error';

export interface ErrorDetail {
  /** JSON path of the offending field, e.g. `custom_fields.ltv` or `rules.and[1].op`. */
  field: string;
  code: string;
  message: string;
}

/** What travels in a failed Kafka reply and in the HTTP error envelope (minus request_id). */
export interface ErrorBody {
  status: number;
  code: ErrorCode;
  type: ErrorType;
  message: string;
  details?: ErrorDetail[];
  /** Extra machine-readable fields, e.g. `existing_id` on a conflict. */
  [extra: string]: unknown;
}

export interface ErrorEnvelope {
  error: ErrorBody & { request_id: string };
}
