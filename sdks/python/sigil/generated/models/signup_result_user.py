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

T = TypeVar("T", bound="SignupResultUser")


@_attrs_define
class SignupResultUser:
    """
    Attributes:
        id (str):
        email (str):
        role (Literal['owner']):
    """

    id: str
    email: str
    role: Literal["owner"]

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        role = cast(Literal["owner"], d.pop("role"))
        if role != "owner":
            raise ValueError(f"role must match const 'owner', got '{role}'")

        signup_result_user = cls(
            id=id,
            email=email,
            role=role,
        )

        return signup_result_user
