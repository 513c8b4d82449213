from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentsCreateBody")


@_attrs_define
class SegmentsCreateBody:
    """
    Attributes:
        name (str):
        description (None | str | Unset):
        rules (Any | Unset):
        include_unsubscribed (bool | Unset):  Default: False.
    """

    name: str
    description: None | str | Unset = UNSET
    rules: Any | Unset = UNSET
    include_unsubscribed: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        rules = self.rules

        include_unsubscribed = self.include_unsubscribed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if rules is not UNSET:
            field_dict["rules"] = rules
        if include_unsubscribed is not UNSET:
            field_dict["include_unsubscribed"] = include_unsubscribed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        rules = d.pop("rules", UNSET)

        include_unsubscribed = d.pop("include_unsubscribed", UNSET)

        segments_create_body = cls(
            name=name,
            description=description,
            rules=rules,
            include_unsubscribed=include_unsubscribed,
        )

        return segments_create_body
