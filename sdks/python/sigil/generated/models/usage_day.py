from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UsageDay")


@_attrs_define
class UsageDay:
    """
    Attributes:
        credential_id (str):
        day (datetime.date):
        field_2xx (int):
        field_3xx (int):
        field_4xx (int):
        field_5xx (int):
        total (int):
    """

    credential_id: str
    day: datetime.date
    field_2xx: int
    field_3xx: int
    field_4xx: int
    field_5xx: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        credential_id = self.credential_id

        day = self.day.isoformat()

        field_2xx = self.field_2xx

        field_3xx = self.field_3xx

        field_4xx = self.field_4xx

        field_5xx = self.field_5xx

        total = self.total

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "credential_id": credential_id,
                "day": day,
                "2xx": field_2xx,
                "3xx": field_3xx,
                "4xx": field_4xx,
                "5xx": field_5xx,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        credential_id = d.pop("credential_id")

        day = datetime.date.fromisoformat(d.pop("day"))

        field_2xx = d.pop("2xx")

        field_3xx = d.pop("3xx")

        field_4xx = d.pop("4xx")

        field_5xx = d.pop("5xx")

        total = d.pop("total")

        usage_day = cls(
            credential_id=credential_id,
            day=day,
            field_2xx=field_2xx,
            field_3xx=field_3xx,
            field_4xx=field_4xx,
            field_5xx=field_5xx,
            total=total,
        )

        return usage_day
