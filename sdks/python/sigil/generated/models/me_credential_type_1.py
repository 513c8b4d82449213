from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

T = TypeVar("T", bound="MeCredentialType1")


@_attrs_define
class MeCredentialType1:
    """
    Attributes:
        type_ (Literal['user']):
        id (str):
        email (str):
        role (str):
    """

    type_: Literal["user"]
    id: str
    email: str
    role: str

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        id = self.id

        email = self.email

        role = self.role

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "id": id,
                "email": email,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["user"], d.pop("type"))
        if type_ != "user":
            raise ValueError(f"type must match const 'user', got '{type_}'")

        id = d.pop("id")

        email = d.pop("email")

        role = d.pop("role")

        me_credential_type_1 = cls(
            type_=type_,
            id=id,
            email=email,
            role=role,
        )

        return me_credential_type_1
