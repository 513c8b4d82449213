from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contacts_record_activity_body_properties import (
        ContactsRecordActivityBodyProperties,
    )


T = TypeVar("T", bound="ContactsRecordActivityBody")


@_attrs_define
class ContactsRecordActivityBody:
    """`occurred_at`, when sent, may be at most 24 h later than the server's clock (a 400).

    Attributes:
        type_ (str):
        occurred_at (datetime.datetime | Unset):
        properties (ContactsRecordActivityBodyProperties | Unset): At most 50 properties and 16 KiB of JSON.
    """

    type_: str
    occurred_at: datetime.datetime | Unset = UNSET
    properties: ContactsRecordActivityBodyProperties | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        occurred_at: str | Unset = UNSET
        if not isinstance(self.occurred_at, Unset):
            occurred_at = self.occurred_at.isoformat()

        properties: dict[str, Any] | Unset = UNSET
        if not isinstance(self.properties, Unset):
            properties = self.properties.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
            }
        )
        if occurred_at is not UNSET:
            field_dict["occurred_at"] = occurred_at
        if properties is not UNSET:
            field_dict["properties"] = properties

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contacts_record_activity_body_properties import (
            ContactsRecordActivityBodyProperties,
        )

        d = dict(src_dict)
        type_ = d.pop("type")

        _occurred_at = d.pop("occurred_at", UNSET)
        occurred_at: datetime.datetime | Unset
        if isinstance(_occurred_at, Unset):
            occurred_at = UNSET
        else:
            occurred_at = datetime.datetime.fromisoformat(_occurred_at)

        _properties = d.pop("properties", UNSET)
        properties: ContactsRecordActivityBodyProperties | Unset
        if isinstance(_properties, Unset):
            properties = UNSET
        else:
            properties = ContactsRecordActivityBodyProperties.from_dict(_properties)

        contacts_record_activity_body = cls(
            type_=type_,
            occurred_at=occurred_at,
            properties=properties,
        )

        return contacts_record_activity_body
