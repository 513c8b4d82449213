from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SegmentHistoryPoint")


@_attrs_define
class SegmentHistoryPoint:
    """
    Attributes:
        at (datetime.datetime):
        entered (int):
        exited (int):
        total (int):
    """

    at: datetime.datetime
    entered: int
    exited: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        entered = self.entered

        exited = self.exited

        total = self.total

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "at": at,
                "entered": entered,
                "exited": exited,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        entered = d.pop("entered")

        exited = d.pop("exited")

        total = d.pop("total")

        segment_history_point = cls(
            at=at,
            entered=entered,
            exited=exited,
            total=total,
        )

        return segment_history_point
