from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.invitation_role import InvitationRole

T = TypeVar("T", bound="Invitation")


@_attrs_define
class Invitation:
    """
    Attributes:
        id (str):
        email (str):
        role (InvitationRole):
        expires_at (datetime.datetime):
        created_at (datetime.datetime):
        token (str): The invitation token, shown once: the invitee presents it to `POST /v1/members/invitations/accept`.
    """

    id: str
    email: str
    role: InvitationRole
    expires_at: datetime.datetime
    created_at: datetime.datetime
    token: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role.value

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "role": role,
                "expires_at": expires_at,
                "created_at": created_at,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        role = InvitationRole(d.pop("role"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        token = d.pop("token")

        invitation = cls(
            id=id,
            email=email,
            role=role,
            expires_at=expires_at,
            created_at=created_at,
            token=token,
        )

        return invitation
