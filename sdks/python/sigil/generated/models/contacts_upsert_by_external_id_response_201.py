from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact import Contact
    from ..models.contacts_upsert_by_external_id_response_201_links import (
        ContactsUpsertByExternalIdResponse201Links,
    )
    from ..models.meta import Meta


T = TypeVar("T", bound="ContactsUpsertByExternalIdResponse201")


@_attrs_define
class ContactsUpsertByExternalIdResponse201:
    """
    Attributes:
        data (Contact): A contact; `version` rises with every change.
        meta (Meta):
        links (ContactsUpsertByExternalIdResponse201Links | Unset):
    """

    data: Contact
    meta: Meta
    links: ContactsUpsertByExternalIdResponse201Links | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        meta = self.meta.to_dict()

        links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.contact import Contact
        from ..models.contacts_upsert_by_external_id_response_201_links import (
            ContactsUpsertByExternalIdResponse201Links,
        )
        from ..models.meta import Meta

        d = dict(src_dict)
        data = Contact.from_dict(d.pop("data"))

        meta = Meta.from_dict(d.pop("meta"))

        _links = d.pop("links", UNSET)
        links: ContactsUpsertByExternalIdResponse201Links | Unset
        if isinstance(_links, Unset):
            links = UNSET
        else:
            links = ContactsUpsertByExternalIdResponse201Links.from_dict(_links)

        contacts_upsert_by_external_id_response_201 = cls(
            data=data,
            meta=meta,
            links=links,
        )

        contacts_upsert_by_external_id_response_201.additional_properties = d
        return contacts_upsert_by_external_id_response_201

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
