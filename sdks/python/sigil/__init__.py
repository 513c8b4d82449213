"""``sigil``: the Python client of the Sigil API (SPEC §10). The facade
(``Sigil``), its errors and webhook verification are hand-written; the
operations and models in ``sigil.generated`` are generated from the OpenAPI
document (sdks/generate.sh)."""

from .client import Paginator, Sigil
from .errors import (
    AuthenticationError,
    ConflictError,
    ConnectionError,
    IdempotencyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SigilError,
    ValidationError,
    WebhookVerificationError,
)
from .webhooks import verify_webhook

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "ConnectionError",
    "IdempotencyError",
    "NotFoundError",
    "Paginator",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "Sigil",
    "SigilError",
    "ValidationError",
    "WebhookVerificationError",
    "verify_webhook",
]
