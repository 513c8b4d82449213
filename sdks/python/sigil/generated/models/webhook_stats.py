from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_stats_window import WebhookStatsWindow

T = TypeVar("T", bound="WebhookStats")


@_attrs_define
class WebhookStats:
    """
    Attributes:
        window (WebhookStatsWindow):
        delivered (int):
        failed (int):
        retrying (int):
        success_rate (float | None):
        p50_ms (float | None):
        p99_ms (float | None):
    """

    window: WebhookStatsWindow
    delivered: int
    failed: int
    retrying: int
    success_rate: float | None
    p50_ms: float | None
    p99_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        window = self.window.value

        delivered = self.delivered

        failed = self.failed

        retrying = self.retrying

        success_rate: float | None
        success_rate = self.success_rate

        p50_ms: float | None
        p50_ms = self.p50_ms

        p99_ms: float | None
        p99_ms = self.p99_ms

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "window": window,
                "delivered": delivered,
                "failed": failed,
                "retrying": retrying,
                "success_rate": success_rate,
                "p50_ms": p50_ms,
                "p99_ms": p99_ms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        window = WebhookStatsWindow(d.pop("window"))

        delivered = d.pop("delivered")

        failed = d.pop("failed")

        retrying = d.pop("retrying")

        def _parse_success_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        success_rate = _parse_success_rate(d.pop("success_rate"))

        def _parse_p50_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        p50_ms = _parse_p50_ms(d.pop("p50_ms"))

        def _parse_p99_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        p99_ms = _parse_p99_ms(d.pop("p99_ms"))

        webhook_stats = cls(
            window=window,
            delivered=delivered,
            failed=failed,
            retrying=retrying,
            success_rate=success_rate,
            p50_ms=p50_ms,
            p99_ms=p99_ms,
        )

        return webhook_stats
