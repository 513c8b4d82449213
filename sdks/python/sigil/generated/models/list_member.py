from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_member_custom_fields import ListMemberCustomFields


T = TypeVar("T", bound="ListMember")


@_attrs_define
class ListMember:
    """A contact as the segments read model holds it.

    Attributes:
        id (str):
        email (str):
        first_name (None | str):
        last_name (None | str):
        phone (None | str):
        tags (list[str]):
        custom_fields (ListMemberCustomFields): Values by custom field key: text, number, boolean, date (ISO), select or
            multi-select.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        added_at (datetime.datetime):
    """

    id: str
    email: str
    first_name: None | str
    last_name: None | str
    phone: None | str
    tags: list[str]
    custom_fields: ListMemberCustomFields
    created_at: datetime.datetime
    updated_at: datetime.datetime
    added_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        first_name: None | str
        first_name = self.first_name

        last_name: None | str
        last_name = self.last_name

        phone: None | str
        phone = self.phone

        tags = self.tags

        custom_fields = self.custom_fields.to_dict()

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        added_at = self.added_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "phone": phone,
                "tags": tags,
                "custom_fields": custom_fields,
                "created_at": created_at,
                "updated_at": updated_at,
                "added_at": added_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_member_custom_fields import ListMemberCustomFields

        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        def _parse_first_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        first_name = _parse_first_name(d.pop("first_name"))

        def _parse_last_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_name = _parse_last_name(d.pop("last_name"))

        def _parse_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone = _parse_phone(d.pop("phone"))

        tags = cast(list[str], d.pop("tags"))

        custom_fields = ListMemberCustomFields.from_dict(d.pop("custom_fields"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        added_at = datetime.datetime.fromisoformat(d.pop("added_at"))

        list_member = cls(
            id=id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            tags=tags,
            custom_fields=custom_fields,
            created_at=created_at,
            updated_at=updated_at,
            added_at=added_at,
        )

        return list_member
