from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.contacts_batch_body_match_on import ContactsBatchBodyMatchOn
from ..types import UNSET, Unset

T = TypeVar("T", bound="ContactsBatchBody")


@_attrs_define
class ContactsBatchBody:
    """
    Attributes:
        contacts (list[Any]):
        match_on (ContactsBatchBodyMatchOn | Unset):
    """

    contacts: list[Any]
    match_on: ContactsBatchBodyMatchOn | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        contacts = self.contacts

        match_on: str | Unset = UNSET
        if not isinstance(self.match_on, Unset):
            match_on = self.match_on.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "contacts": contacts,
            }
        )
        if match_on is not UNSET:
            field_dict["match_on"] = match_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        contacts = cast(list[Any], d.pop("contacts"))

        _match_on = d.pop("match_on", UNSET)
        match_on: ContactsBatchBodyMatchOn | Unset
        if isinstance(_match_on, Unset):
            match_on = UNSET
        else:
            match_on = ContactsBatchBodyMatchOn(_match_on)

        contacts_batch_body = cls(
            contacts=contacts,
            match_on=match_on,
        )

        return contacts_batch_body
