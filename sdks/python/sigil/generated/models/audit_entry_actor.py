from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.audit_entry_actor_type import AuditEntryActorType

T = TypeVar("T", bound="AuditEntryActor")


@_attrs_define
class AuditEntryActor:
    """
    Attributes:
        type_ (AuditEntryActorType):
        id (str):
    """

    type_: AuditEntryActorType
    id: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "id": id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = AuditEntryActorType(d.pop("type"))

        id = d.pop("id")

        audit_entry_actor = cls(
            type_=type_,
            id=id,
        )

        return audit_entry_actor
