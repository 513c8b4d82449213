from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.segment_count_status import SegmentCountStatus

T = TypeVar("T", bound="SegmentCount")


@_attrs_define
class SegmentCount:
    """
    Attributes:
        segment_id (str):
        count (int):
        status (SegmentCountStatus):
    """

    segment_id: str
    count: int
    status: SegmentCountStatus

    def to_dict(self) -> dict[str, Any]:
        segment_id = self.segment_id

        count = self.count

        status = self.status.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "segment_id": segment_id,
                "count": count,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        segment_id = d.pop("segment_id")

        count = d.pop("count")

        status = SegmentCountStatus(d.pop("status"))

        segment_count = cls(
            segment_id=segment_id,
            count=count,
            status=status,
        )

        return segment_count
