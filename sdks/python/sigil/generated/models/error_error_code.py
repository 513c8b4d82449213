from enum import StrEnum


class ErrorErrorCode(StrEnum):
    CONFLICT = "conflict"
    EXPIRED_API_KEY = "expired_api_key"
    IDEMPOTENCY_KEY_IN_FLIGHT = "idempotency_key_in_flight"
    IDEMPOTENCY_KEY_REUSE = "idempotency_key_reuse"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    INTERNAL_ERROR = "internal_error"
    INVALID_API_KEY = "invalid_api_key"
    INVALID_CREDENTIALS = "invalid_credentials"
    INVALID_JSON = "invalid_json"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_TOKEN = "invalid_token"
    INVITATION_EXPIRED = "invitation_expired"
    INVITATION_INVALID = "invitation_invalid"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_USED = "invitation_used"
    IP_NOT_ALLOWED = "ip_not_allowed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    MISSING_API_KEY = "missing_api_key"
    NOT_FOUND = "not_found"
    NOT_IMPLEMENTED = "not_implemented"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    PLAN_LIMIT_EXCEEDED = "plan_limit_exceeded"
    RATE_LIMITER_UNAVAILABLE = "rate_limiter_unavailable"
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    REPLAYED_REQUEST = "replayed_request"
    REVOKED_API_KEY = "revoked_api_key"
    SERVICE_UNAVAILABLE = "service_unavailable"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_USED = "token_used"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    VALIDATION_FAILED = "validation_failed"

    def __str__(self) -> str:
        return str(self.value)
