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
        rules (Any):
        description (None | str | Unset):
        include_unsubscribed (bool | Unset):  Default: False.
    """

    name: str
    rules: Any
    description: None | str | Unset = UNSET
    include_unsubscribed: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        rules = self.rules

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        include_unsubscribed = self.include_unsubscribed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "rules": rules,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if include_unsubscribed is not UNSET:
            field_dict["include_unsubscribed"] = include_unsubscribed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        rules = d.pop("rules")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        include_unsubscribed = d.pop("include_unsubscribed", UNSET)

        segments_create_body = cls(
            name=name,
            rules=rules,
            description=description,
            include_unsubscribed=include_unsubscribed,
        )

        return segments_create_body
