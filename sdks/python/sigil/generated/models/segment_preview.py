from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.segment_contact import SegmentContact


T = TypeVar("T", bound="SegmentPreview")


@_attrs_define
class SegmentPreview:
    """
    Attributes:
        count (int):
        contacts (list[SegmentContact]):
    """

    count: int
    contacts: list[SegmentContact]

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        contacts = []
        for contacts_item_data in self.contacts:
            contacts_item = contacts_item_data.to_dict()
            contacts.append(contacts_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "contacts": contacts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.segment_contact import SegmentContact

        d = dict(src_dict)
        count = d.pop("count")

        contacts = []
        _contacts = d.pop("contacts")
        for contacts_item_data in _contacts:
            contacts_item = SegmentContact.from_dict(contacts_item_data)

            contacts.append(contacts_item)

        segment_preview = cls(
            count=count,
            contacts=contacts,
        )

        return segment_preview
