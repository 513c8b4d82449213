from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.contact import Contact


T = TypeVar("T", bound="MergeResult")


@_attrs_define
class MergeResult:
    """
    Attributes:
        contact (Contact): A contact; `version` rises with every change.
        merged_ids (list[str]):
    """

    contact: Contact
    merged_ids: list[str]

    def to_dict(self) -> dict[str, Any]:
        contact = self.contact.to_dict()

        merged_ids = self.merged_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "contact": contact,
                "merged_ids": merged_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact import Contact

        d = dict(src_dict)
        contact = Contact.from_dict(d.pop("contact"))

        merged_ids = cast(list[str], d.pop("merged_ids"))

        merge_result = cls(
            contact=contact,
            merged_ids=merged_ids,
        )

        return merge_result
