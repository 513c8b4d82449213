from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentsPreviewBody")


@_attrs_define
class SegmentsPreviewBody:
    """
    Attributes:
        rules (Any | Unset):
        limit (int | Unset):  Default: 10.
        include_unsubscribed (bool | Unset):  Default: False.
    """

    rules: Any | Unset = UNSET
    limit: int | Unset = 10
    include_unsubscribed: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        rules = self.rules

        limit = self.limit

        include_unsubscribed = self.include_unsubscribed

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if rules is not UNSET:
            field_dict["rules"] = rules
        if limit is not UNSET:
            field_dict["limit"] = limit
        if include_unsubscribed is not UNSET:
            field_dict["include_unsubscribed"] = include_unsubscribed

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        rules = d.pop("rules", UNSET)

        limit = d.pop("limit", UNSET)

        include_unsubscribed = d.pop("include_unsubscribed", UNSET)

        segments_preview_body = cls(
            rules=rules,
            limit=limit,
            include_unsubscribed=include_unsubscribed,
        )

        return segments_preview_body
