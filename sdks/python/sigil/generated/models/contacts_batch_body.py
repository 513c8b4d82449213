from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="ContactsBatchBody")


@_attrs_define
class ContactsBatchBody:
    """
    Attributes:
        contacts (list[Any]):
    """

    contacts: list[Any]

    def to_dict(self) -> dict[str, Any]:
        contacts = self.contacts

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "contacts": contacts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        contacts = cast(list[Any], d.pop("contacts"))

        contacts_batch_body = cls(
            contacts=contacts,
        )

        return contacts_batch_body
