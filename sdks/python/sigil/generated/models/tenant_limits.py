from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TenantLimits")


@_attrs_define
class TenantLimits:
    """
    Attributes:
        requests_per_minute (int):
        requests_per_day (int):
        max_active_keys (int):
    """

    requests_per_minute: int
    requests_per_day: int
    max_active_keys: int

    def to_dict(self) -> dict[str, Any]:
        requests_per_minute = self.requests_per_minute

        requests_per_day = self.requests_per_day

        max_active_keys = self.max_active_keys

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "requests_per_minute": requests_per_minute,
                "requests_per_day": requests_per_day,
                "max_active_keys": max_active_keys,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        requests_per_minute = d.pop("requests_per_minute")

        requests_per_day = d.pop("requests_per_day")

        max_active_keys = d.pop("max_active_keys")

        tenant_limits = cls(
            requests_per_minute=requests_per_minute,
            requests_per_day=requests_per_day,
            max_active_keys=max_active_keys,
        )

        return tenant_limits
