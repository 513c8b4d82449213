"""The httpx transport every request of the SDK goes through: an
``Idempotency-Key`` on every POST (kept across retries, so a retried create
never creates twice) and retries of 429/503 answers and lost connections
that honour ``Retry-After`` (exponential backoff with jitter when the
server does not say)."""

from __future__ import annotations

import email.utils
import random
import time
import uuid
from collections.abc import Callable

import httpx

from .errors import ConnectionError as SigilConnectionError

RETRIED_STATUSES = {429, 503}


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds or an HTTP date → seconds to wait; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def _backoff(attempt: int) -> float:
    base = min(8.0, 0.5 * 2**attempt)
    return base / 2 + random.random() * base / 2


class RetryingTransport(httpx.BaseTransport):
    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        max_retries: int = 3,
        max_retry_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._max_retries = max_retries
        self._max_retry_delay = max_retry_delay
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "idempotency-key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())
        request.read()  # the body is sent again on a retry
        attempt = 0
        while True:
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError as err:
                if attempt >= self._max_retries:
                    raise SigilConnectionError(f"{request.method} {request.url} failed: {err}") from err
                self._sleep(_backoff(attempt))
                attempt += 1
                continue
            if response.status_code not in RETRIED_STATUSES or attempt >= self._max_retries:
                return response
            wait = retry_after_seconds(response.headers.get("retry-after"))
            wait = _backoff(attempt) if wait is None else wait
            if wait > self._max_retry_delay:
                return response
            response.close()
            self._sleep(wait)
            attempt += 1

    def close(self) -> None:
        self._inner.close()
