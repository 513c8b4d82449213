from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookPayload")


@_attrs_define
class WebhookPayload:
    """
    Attributes:
        id (str):
        type_ (str):
        created_at (datetime.datetime):
        data (Any | Unset):
    """

    id: str
    type_: str
    created_at: datetime.datetime
    data: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        created_at = self.created_at.isoformat()

        data = self.data

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "type": type_,
                "created_at": created_at,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        type_ = d.pop("type")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        data = d.pop("data", UNSET)

        webhook_payload = cls(
            id=id,
            type_=type_,
            created_at=created_at,
            data=data,
        )

        return webhook_payload
