from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.contacts_create_body_subscription_status import (
    ContactsCreateBodySubscriptionStatus,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contacts_create_body_custom_fields import (
        ContactsCreateBodyCustomFields,
    )


T = TypeVar("T", bound="ContactsCreateBody")


@_attrs_define
class ContactsCreateBody:
    """
    Attributes:
        email (str):
        external_id (None | str | Unset):
        first_name (None | str | Unset):
        last_name (None | str | Unset):
        phone (None | str | Unset):
        tags (list[str] | Unset):
        custom_fields (ContactsCreateBodyCustomFields | Unset):
        subscription_status (ContactsCreateBodySubscriptionStatus | Unset):
    """

    email: str
    external_id: None | str | Unset = UNSET
    first_name: None | str | Unset = UNSET
    last_name: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    custom_fields: ContactsCreateBodyCustomFields | Unset = UNSET
    subscription_status: ContactsCreateBodySubscriptionStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        first_name: None | str | Unset
        if isinstance(self.first_name, Unset):
            first_name = UNSET
        else:
            first_name = self.first_name

        last_name: None | str | Unset
        if isinstance(self.last_name, Unset):
            last_name = UNSET
        else:
            last_name = self.last_name

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        custom_fields: dict[str, Any] | Unset = UNSET
        if not isinstance(self.custom_fields, Unset):
            custom_fields = self.custom_fields.to_dict()

        subscription_status: str | Unset = UNSET
        if not isinstance(self.subscription_status, Unset):
            subscription_status = self.subscription_status.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
            }
        )
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if first_name is not UNSET:
            field_dict["first_name"] = first_name
        if last_name is not UNSET:
            field_dict["last_name"] = last_name
        if phone is not UNSET:
            field_dict["phone"] = phone
        if tags is not UNSET:
            field_dict["tags"] = tags
        if custom_fields is not UNSET:
            field_dict["custom_fields"] = custom_fields
        if subscription_status is not UNSET:
            field_dict["subscription_status"] = subscription_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contacts_create_body_custom_fields import (
            ContactsCreateBodyCustomFields,
        )

        d = dict(src_dict)
        email = d.pop("email")

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

        def _parse_first_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        first_name = _parse_first_name(d.pop("first_name", UNSET))

        def _parse_last_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_name = _parse_last_name(d.pop("last_name", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        tags = cast(list[str], d.pop("tags", UNSET))

        _custom_fields = d.pop("custom_fields", UNSET)
        custom_fields: ContactsCreateBodyCustomFields | Unset
        if isinstance(_custom_fields, Unset):
            custom_fields = UNSET
        else:
            custom_fields = ContactsCreateBodyCustomFields.from_dict(_custom_fields)

        _subscription_status = d.pop("subscription_status", UNSET)
        subscription_status: ContactsCreateBodySubscriptionStatus | Unset
        if isinstance(_subscription_status, Unset):
            subscription_status = UNSET
        else:
            subscription_status = ContactsCreateBodySubscriptionStatus(
                _subscription_status
            )

        contacts_create_body = cls(
            email=email,
            external_id=external_id,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            tags=tags,
            custom_fields=custom_fields,
            subscription_status=subscription_status,
        )

        return contacts_create_body
