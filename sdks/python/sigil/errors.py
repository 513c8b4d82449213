"""Typed errors of the Sigil SDK: every non-2xx answer becomes a SigilError
(or the subclass for its status) carrying the error envelope's `code`,
`type`, `request_id` and per-field `details`, so callers branch on codes,
not on message text, and can quote the request id to support."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class SigilError(Exception):
    """An error answer of the API."""

    def __init__(self, status: int, body: bytes | str | None, headers: Mapping[str, str] | None = None) -> None:
        error: dict[str, Any] = {}
        try:
            parsed = json.loads(body) if body else {}
            if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
                error = parsed["error"]
        except ValueError:
            pass
        headers = headers or {}
        self.status: int = int(error.get("status", status))
        #: Stable machine-readable code, e.g. ``validation_failed``, ``not_found``, ``rate_limit_exceeded``.
        self.code: str = str(error.get("code") or ("internal_error" if status >= 500 else "unknown_error"))
        self.type: str = str(error.get("type") or "api_error")
        self.message: str = str(error.get("message") or f"HTTP {status}")
        #: The request id (``req_…``) the server logged this request under.
        self.request_id: str | None = error.get("request_id") or headers.get("x-request-id")
        self.details: list[dict[str, Any]] = list(error.get("details") or [])
        #: Everything the envelope carried (e.g. ``required_scope``).
        self.raw: dict[str, Any] = dict(error)
        retry_after = headers.get("retry-after")
        self.retry_after: float | None = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
        super().__init__(f"{self.status} {self.code}: {self.message} (request {self.request_id})")


class ValidationError(SigilError):
    pass


class AuthenticationError(SigilError):
    pass


class PermissionDeniedError(SigilError):
    pass


class NotFoundError(SigilError):
    pass


class ConflictError(SigilError):
    pass


class IdempotencyError(SigilError):
    pass


class RateLimitError(SigilError):
    pass


class ServerError(SigilError):
    pass


class ConnectionError(Exception):  # the SDK's own (shadowing the builtin's name), raised after the retries
    """No answer at all (connection refused, reset, timeout) after the retries."""


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or headers do not verify."""


_BY_STATUS: dict[int, type[SigilError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: IdempotencyError,
    429: RateLimitError,
}


# Codes whose class is not their status's: a 422 is an idempotency error unless a required custom field is missing.
_BY_CODE: dict[str, type[SigilError]] = {
    "custom_field_required": ValidationError,
}


def error_for(status: int, body: bytes | str | None, headers: Mapping[str, str] | None = None) -> SigilError:
    code = SigilError(status, body, headers).code
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status) or (ServerError if status >= 500 else SigilError)
    return cls(status, body, headers)
