from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.segment_status import SegmentStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.segment_rules import SegmentRules


T = TypeVar("T", bound="Segment")


@_attrs_define
class Segment:
    """
    Attributes:
        id (str):
        name (str):
        description (None | str):
        include_unsubscribed (bool):
        status (SegmentStatus):
        member_count (int): Materialised members; while `building`, the part built so far.
        built_at (datetime.datetime | None):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        rules (SegmentRules | Unset): The rule tree as saved: a condition, `{"not": …}`, or `{"and"|"or": [...]}`
            (docs/segments.md has every form).
    """

    id: str
    name: str
    description: None | str
    include_unsubscribed: bool
    status: SegmentStatus
    member_count: int
    built_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    rules: SegmentRules | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description: None | str
        description = self.description

        include_unsubscribed = self.include_unsubscribed

        status = self.status.value

        member_count = self.member_count

        built_at: None | str
        if isinstance(self.built_at, datetime.datetime):
            built_at = self.built_at.isoformat()
        else:
            built_at = self.built_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        rules: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rules, Unset):
            rules = self.rules.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "include_unsubscribed": include_unsubscribed,
                "status": status,
                "member_count": member_count,
                "built_at": built_at,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if rules is not UNSET:
            field_dict["rules"] = rules

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.segment_rules import SegmentRules

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        include_unsubscribed = d.pop("include_unsubscribed")

        status = SegmentStatus(d.pop("status"))

        member_count = d.pop("member_count")

        def _parse_built_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                built_at_type_0 = datetime.datetime.fromisoformat(data)

                return built_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        built_at = _parse_built_at(d.pop("built_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        _rules = d.pop("rules", UNSET)
        rules: SegmentRules | Unset
        if isinstance(_rules, Unset):
            rules = UNSET
        else:
            rules = SegmentRules.from_dict(_rules)

        segment = cls(
            id=id,
            name=name,
            description=description,
            include_unsubscribed=include_unsubscribed,
            status=status,
            member_count=member_count,
            built_at=built_at,
            created_at=created_at,
            updated_at=updated_at,
            rules=rules,
        )

        return segment
