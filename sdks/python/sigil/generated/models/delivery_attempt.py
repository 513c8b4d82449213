from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="DeliveryAttempt")


@_attrs_define
class DeliveryAttempt:
    """
    Attributes:
        attempt (int):
        attempted_at (datetime.datetime):
        status_code (int | None):
        latency_ms (float):
        response_body (None | str):
        error (None | str):
    """

    attempt: int
    attempted_at: datetime.datetime
    status_code: int | None
    latency_ms: float
    response_body: None | str
    error: None | str

    def to_dict(self) -> dict[str, Any]:
        attempt = self.attempt

        attempted_at = self.attempted_at.isoformat()

        status_code: int | None
        status_code = self.status_code

        latency_ms = self.latency_ms

        response_body: None | str
        response_body = self.response_body

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attempt": attempt,
                "attempted_at": attempted_at,
                "status_code": status_code,
                "latency_ms": latency_ms,
                "response_body": response_body,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempt = d.pop("attempt")

        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        latency_ms = d.pop("latency_ms")

        def _parse_response_body(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response_body = _parse_response_body(d.pop("response_body"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        delivery_attempt = cls(
            attempt=attempt,
            attempted_at=attempted_at,
            status_code=status_code,
            latency_ms=latency_ms,
            response_body=response_body,
            error=error,
        )

        return delivery_attempt
