from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MembersAcceptBody")


@_attrs_define
class MembersAcceptBody:
    """
    Attributes:
        token (str): The `token` of the invitation (`POST /v1/members/invitations`); only a token the API issued is
            valid (a 400 otherwise).
        password (str):
    """

    token: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token = d.pop("token")

        password = d.pop("password")

        members_accept_body = cls(
            token=token,
            password=password,
        )

        return members_accept_body
