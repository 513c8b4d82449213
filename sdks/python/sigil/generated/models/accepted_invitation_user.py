from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.accepted_invitation_user_role import AcceptedInvitationUserRole

T = TypeVar("T", bound="AcceptedInvitationUser")


@_attrs_define
class AcceptedInvitationUser:
    """
    Attributes:
        id (str):
        email (str):
        role (AcceptedInvitationUserRole):
    """

    id: str
    email: str
    role: AcceptedInvitationUserRole

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role.value

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

        role = AcceptedInvitationUserRole(d.pop("role"))

        accepted_invitation_user = cls(
            id=id,
            email=email,
            role=role,
        )

        return accepted_invitation_user
