from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_ordering import WebhookOrdering

if TYPE_CHECKING:
    from ..models.webhook_headers import WebhookHeaders


T = TypeVar("T", bound="Webhook")


@_attrs_define
class Webhook:
    """
    Attributes:
        id (str):
        url (str):
        events (list[str]):
        description (None | str):
        enabled (bool):
        disabled_reason (None | str): Why Sigil disabled the endpoint (`gone`, `failing`), or null.
        failing_since (datetime.datetime | None): Since when every attempt has failed, or null.
        rate_limit_per_second (int | None):
        max_in_flight (int | None):
        timeout_ms (int | None):
        retry_schedule (list[str] | None):
        headers (WebhookHeaders): Custom header names; every value shows as `[redacted]`.
        ordering (WebhookOrdering):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    url: str
    events: list[str]
    description: None | str
    enabled: bool
    disabled_reason: None | str
    failing_since: datetime.datetime | None
    rate_limit_per_second: int | None
    max_in_flight: int | None
    timeout_ms: int | None
    retry_schedule: list[str] | None
    headers: WebhookHeaders
    ordering: WebhookOrdering
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        url = self.url

        events = self.events

        description: None | str
        description = self.description

        enabled = self.enabled

        disabled_reason: None | str
        disabled_reason = self.disabled_reason

        failing_since: None | str
        if isinstance(self.failing_since, datetime.datetime):
            failing_since = self.failing_since.isoformat()
        else:
            failing_since = self.failing_since

        rate_limit_per_second: int | None
        rate_limit_per_second = self.rate_limit_per_second

        max_in_flight: int | None
        max_in_flight = self.max_in_flight

        timeout_ms: int | None
        timeout_ms = self.timeout_ms

        retry_schedule: list[str] | None
        if isinstance(self.retry_schedule, list):
            retry_schedule = self.retry_schedule

        else:
            retry_schedule = self.retry_schedule

        headers = self.headers.to_dict()

        ordering = self.ordering.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "url": url,
                "events": events,
                "description": description,
                "enabled": enabled,
                "disabled_reason": disabled_reason,
                "failing_since": failing_since,
                "rate_limit_per_second": rate_limit_per_second,
                "max_in_flight": max_in_flight,
                "timeout_ms": timeout_ms,
                "retry_schedule": retry_schedule,
                "headers": headers,
                "ordering": ordering,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_headers import WebhookHeaders

        d = dict(src_dict)
        id = d.pop("id")

        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        enabled = d.pop("enabled")

        def _parse_disabled_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason"))

        def _parse_failing_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failing_since_type_0 = datetime.datetime.fromisoformat(data)

                return failing_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        failing_since = _parse_failing_since(d.pop("failing_since"))

        def _parse_rate_limit_per_second(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit_per_second = _parse_rate_limit_per_second(
            d.pop("rate_limit_per_second")
        )

        def _parse_max_in_flight(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_in_flight = _parse_max_in_flight(d.pop("max_in_flight"))

        def _parse_timeout_ms(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeout_ms"))

        def _parse_retry_schedule(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                retry_schedule_type_0 = cast(list[str], data)

                return retry_schedule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        retry_schedule = _parse_retry_schedule(d.pop("retry_schedule"))

        headers = WebhookHeaders.from_dict(d.pop("headers"))

        ordering = WebhookOrdering(d.pop("ordering"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        webhook = cls(
            id=id,
            url=url,
            events=events,
            description=description,
            enabled=enabled,
            disabled_reason=disabled_reason,
            failing_since=failing_since,
            rate_limit_per_second=rate_limit_per_second,
            max_in_flight=max_in_flight,
            timeout_ms=timeout_ms,
            retry_schedule=retry_schedule,
            headers=headers,
            ordering=ordering,
            created_at=created_at,
            updated_at=updated_at,
        )

        return webhook
