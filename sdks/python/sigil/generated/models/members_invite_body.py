from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.members_invite_body_role import MembersInviteBodyRole

T = TypeVar("T", bound="MembersInviteBody")


@_attrs_define
class MembersInviteBody:
    """
    Attributes:
        email (str):
        role (MembersInviteBodyRole):
    """

    email: str
    role: MembersInviteBodyRole

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        role = MembersInviteBodyRole(d.pop("role"))

        members_invite_body = cls(
            email=email,
            role=role,
        )

        return members_invite_body
