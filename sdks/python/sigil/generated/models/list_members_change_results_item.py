from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.list_members_change_results_item_status import (
    ListMembersChangeResultsItemStatus,
)

T = TypeVar("T", bound="ListMembersChangeResultsItem")


@_attrs_define
class ListMembersChangeResultsItem:
    """
    Attributes:
        contact_id (str):
        status (ListMembersChangeResultsItemStatus):
    """

    contact_id: str
    status: ListMembersChangeResultsItemStatus

    def to_dict(self) -> dict[str, Any]:
        contact_id = self.contact_id

        status = self.status.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "contact_id": contact_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        contact_id = d.pop("contact_id")

        status = ListMembersChangeResultsItemStatus(d.pop("status"))

        list_members_change_results_item = cls(
            contact_id=contact_id,
            status=status,
        )

        return list_members_change_results_item
