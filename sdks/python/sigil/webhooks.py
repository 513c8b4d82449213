"""``verify_webhook(payload, headers, secret)``: checks a delivery's Standard
Webhooks signature (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``, secret ``whsec_…``) with the reference
``standardwebhooks`` library (constant-time comparison, 5-minute timestamp
tolerance, any of several signatures during a secret rotation) and returns
the parsed event. Pass the raw body exactly as received."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as _LibraryError

from .errors import WebhookVerificationError

_REQUIRED = ("webhook-id", "webhook-timestamp", "webhook-signature")


def verify_webhook(payload: bytes | str, headers: Mapping[str, Any], secret: str) -> dict[str, Any]:
    body = payload.decode("utf-8") if isinstance(payload, (bytes, bytearray)) else payload
    lowered = {str(k).lower(): (" ".join(v) if isinstance(v, (list, tuple)) else str(v)) for k, v in dict(headers).items()}
    for name in _REQUIRED:
        if not lowered.get(name):
            raise WebhookVerificationError(f"Missing {name} header.")
    try:
        event = Webhook(secret).verify(body, {name: lowered[name] for name in _REQUIRED})
    except _LibraryError as err:
        raise WebhookVerificationError(str(err)) from err
    except Exception as err:  # a malformed secret or header
        raise WebhookVerificationError(f"Invalid webhook: {err}") from err
    return event
