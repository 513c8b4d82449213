from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.contact_subscription_status import ContactSubscriptionStatus

if TYPE_CHECKING:
    from ..models.contact_custom_fields import ContactCustomFields


T = TypeVar("T", bound="Contact")


@_attrs_define
class Contact:
    """A contact; `version` rises with every change.

    Attributes:
        id (str):
        external_id (None | str): The caller's own id of this contact (unique per tenant and mode), or null.
        email (str):
        first_name (None | str):
        last_name (None | str):
        phone (None | str):
        tags (list[str]):
        custom_fields (ContactCustomFields): Values by custom field key: text, number, boolean, date (ISO), select or
            multi-select.
        subscription_status (ContactSubscriptionStatus): Whether the contact may be emailed: only `subscribed` may (and
            only when not suppressed).
        suppressed (bool): A suppression of the tenant matches the contact's email or its domain.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        version (int): Monotonic per contact: drop an event older than the version you hold.
    """

    id: str
    external_id: None | str
    email: str
    first_name: None | str
    last_name: None | str
    phone: None | str
    tags: list[str]
    custom_fields: ContactCustomFields
    subscription_status: ContactSubscriptionStatus
    suppressed: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_id: None | str
        external_id = self.external_id

        email = self.email

        first_name: None | str
        first_name = self.first_name

        last_name: None | str
        last_name = self.last_name

        phone: None | str
        phone = self.phone

        tags = self.tags

        custom_fields = self.custom_fields.to_dict()

        subscription_status = self.subscription_status.value

        suppressed = self.suppressed

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "external_id": external_id,
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "phone": phone,
                "tags": tags,
                "custom_fields": custom_fields,
                "subscription_status": subscription_status,
                "suppressed": suppressed,
                "created_at": created_at,
                "updated_at": updated_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact_custom_fields import ContactCustomFields

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

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

        custom_fields = ContactCustomFields.from_dict(d.pop("custom_fields"))

        subscription_status = ContactSubscriptionStatus(d.pop("subscription_status"))

        suppressed = d.pop("suppressed")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        contact = cls(
            id=id,
            external_id=external_id,
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            tags=tags,
            custom_fields=custom_fields,
            subscription_status=subscription_status,
            suppressed=suppressed,
            created_at=created_at,
            updated_at=updated_at,
            version=version,
        )

        return contact
