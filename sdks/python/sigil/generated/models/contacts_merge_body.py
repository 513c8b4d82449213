from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ContactsMergeBody")


@_attrs_define
class ContactsMergeBody:
    """
    Attributes:
        primary_id (str):
        duplicate_ids (list[str]):
    """

    primary_id: str
    duplicate_ids: list[str]

    def to_dict(self) -> dict[str, Any]:
        primary_id = self.primary_id

        duplicate_ids = self.duplicate_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "primary_id": primary_id,
                "duplicate_ids": duplicate_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        primary_id = d.pop("primary_id")

        duplicate_ids = cast(list[str], d.pop("duplicate_ids"))

        contacts_merge_body = cls(
            primary_id=primary_id,
            duplicate_ids=duplicate_ids,
        )

        return contacts_merge_body
