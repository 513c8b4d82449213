from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.activity_properties import ActivityProperties


T = TypeVar("T", bound="Activity")


@_attrs_define
class Activity:
    """
    Attributes:
        id (str):
        contact_id (str):
        type_ (str):
        occurred_at (datetime.datetime):
        properties (ActivityProperties):
        created_at (datetime.datetime):
    """

    id: str
    contact_id: str
    type_: str
    occurred_at: datetime.datetime
    properties: ActivityProperties
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contact_id = self.contact_id

        type_ = self.type_

        occurred_at = self.occurred_at.isoformat()

        properties = self.properties.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "contact_id": contact_id,
                "type": type_,
                "occurred_at": occurred_at,
                "properties": properties,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.activity_properties import ActivityProperties

        d = dict(src_dict)
        id = d.pop("id")

        contact_id = d.pop("contact_id")

        type_ = d.pop("type")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        properties = ActivityProperties.from_dict(d.pop("properties"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        activity = cls(
            id=id,
            contact_id=contact_id,
            type_=type_,
            occurred_at=occurred_at,
            properties=properties,
            created_at=created_at,
        )

        return activity
