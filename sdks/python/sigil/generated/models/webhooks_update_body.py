from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhooks_update_body_ordering import WebhooksUpdateBodyOrdering
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhooks_update_body_headers_type_0 import (
        WebhooksUpdateBodyHeadersType0,
    )


T = TypeVar("T", bound="WebhooksUpdateBody")


@_attrs_define
class WebhooksUpdateBody:
    """the keys of `headers` must differ other than by case (a 400).

    Attributes:
        url (str | Unset):
        events (list[str] | Unset):
        description (None | str | Unset):
        enabled (bool | Unset):
        rate_limit_per_second (int | None | Unset):
        max_in_flight (int | None | Unset):
        timeout_ms (int | None | Unset):
        retry_schedule (list[str] | None | Unset):
        headers (None | Unset | WebhooksUpdateBodyHeadersType0):
        ordering (WebhooksUpdateBodyOrdering | Unset): `per_contact`: one delivery at a time per contact, in event
            order; a failing one holds back only its own contact. Default `none`.
    """

    url: str | Unset = UNSET
    events: list[str] | Unset = UNSET
    description: None | str | Unset = UNSET
    enabled: bool | Unset = UNSET
    rate_limit_per_second: int | None | Unset = UNSET
    max_in_flight: int | None | Unset = UNSET
    timeout_ms: int | None | Unset = UNSET
    retry_schedule: list[str] | None | Unset = UNSET
    headers: None | Unset | WebhooksUpdateBodyHeadersType0 = UNSET
    ordering: WebhooksUpdateBodyOrdering | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhooks_update_body_headers_type_0 import (
            WebhooksUpdateBodyHeadersType0,
        )

        url = self.url

        events: list[str] | Unset = UNSET
        if not isinstance(self.events, Unset):
            events = self.events

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        enabled = self.enabled

        rate_limit_per_second: int | None | Unset
        if isinstance(self.rate_limit_per_second, Unset):
            rate_limit_per_second = UNSET
        else:
            rate_limit_per_second = self.rate_limit_per_second

        max_in_flight: int | None | Unset
        if isinstance(self.max_in_flight, Unset):
            max_in_flight = UNSET
        else:
            max_in_flight = self.max_in_flight

        timeout_ms: int | None | Unset
        if isinstance(self.timeout_ms, Unset):
            timeout_ms = UNSET
        else:
            timeout_ms = self.timeout_ms

        retry_schedule: list[str] | None | Unset
        if isinstance(self.retry_schedule, Unset):
            retry_schedule = UNSET
        elif isinstance(self.retry_schedule, list):
            retry_schedule = self.retry_schedule

        else:
            retry_schedule = self.retry_schedule

        headers: dict[str, Any] | None | Unset
        if isinstance(self.headers, Unset):
            headers = UNSET
        elif isinstance(self.headers, WebhooksUpdateBodyHeadersType0):
            headers = self.headers.to_dict()
        else:
            headers = self.headers

        ordering: str | Unset = UNSET
        if not isinstance(self.ordering, Unset):
            ordering = self.ordering.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url
        if events is not UNSET:
            field_dict["events"] = events
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if rate_limit_per_second is not UNSET:
            field_dict["rate_limit_per_second"] = rate_limit_per_second
        if max_in_flight is not UNSET:
            field_dict["max_in_flight"] = max_in_flight
        if timeout_ms is not UNSET:
            field_dict["timeout_ms"] = timeout_ms
        if retry_schedule is not UNSET:
            field_dict["retry_schedule"] = retry_schedule
        if headers is not UNSET:
            field_dict["headers"] = headers
        if ordering is not UNSET:
            field_dict["ordering"] = ordering

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhooks_update_body_headers_type_0 import (
            WebhooksUpdateBodyHeadersType0,
        )

        d = dict(src_dict)
        url = d.pop("url", UNSET)

        events = cast(list[str], d.pop("events", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        enabled = d.pop("enabled", UNSET)

        def _parse_rate_limit_per_second(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_second = _parse_rate_limit_per_second(
            d.pop("rate_limit_per_second", UNSET)
        )

        def _parse_max_in_flight(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_in_flight = _parse_max_in_flight(d.pop("max_in_flight", UNSET))

        def _parse_timeout_ms(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        timeout_ms = _parse_timeout_ms(d.pop("timeout_ms", UNSET))

        def _parse_retry_schedule(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                retry_schedule_type_0 = cast(list[str], data)

                return retry_schedule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        retry_schedule = _parse_retry_schedule(d.pop("retry_schedule", UNSET))

        def _parse_headers(
            data: object,
        ) -> None | Unset | WebhooksUpdateBodyHeadersType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                headers_type_0 = WebhooksUpdateBodyHeadersType0.from_dict(data)

                return headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhooksUpdateBodyHeadersType0, data)

        headers = _parse_headers(d.pop("headers", UNSET))

        _ordering = d.pop("ordering", UNSET)
        ordering: WebhooksUpdateBodyOrdering | Unset
        if isinstance(_ordering, Unset):
            ordering = UNSET
        else:
            ordering = WebhooksUpdateBodyOrdering(_ordering)

        webhooks_update_body = cls(
            url=url,
            events=events,
            description=description,
            enabled=enabled,
            rate_limit_per_second=rate_limit_per_second,
            max_in_flight=max_in_flight,
            timeout_ms=timeout_ms,
            retry_schedule=retry_schedule,
            headers=headers,
            ordering=ordering,
        )

        return webhooks_update_body
