from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ContactSegment")


@_attrs_define
class ContactSegment:
    """
    Attributes:
        segment_id (str):
        name (str):
        since (datetime.datetime):
    """

    segment_id: str
    name: str
    since: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        segment_id = self.segment_id

        name = self.name

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "segment_id": segment_id,
                "name": name,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        segment_id = d.pop("segment_id")

        name = d.pop("name")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        contact_segment = cls(
            segment_id=segment_id,
            name=name,
            since=since,
        )

        return contact_segment
