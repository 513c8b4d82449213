from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.pending_invitation_role import PendingInvitationRole

T = TypeVar("T", bound="PendingInvitation")


@_attrs_define
class PendingInvitation:
    """
    Attributes:
        id (str):
        email (str):
        role (PendingInvitationRole):
        expires_at (datetime.datetime):
        created_at (datetime.datetime):
        invited_by (None | str): The user who invited, or null (an API key).
    """

    id: str
    email: str
    role: PendingInvitationRole
    expires_at: datetime.datetime
    created_at: datetime.datetime
    invited_by: None | str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role.value

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        invited_by: None | str
        invited_by = self.invited_by

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "role": role,
                "expires_at": expires_at,
                "created_at": created_at,
                "invited_by": invited_by,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        role = PendingInvitationRole(d.pop("role"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_invited_by(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invited_by = _parse_invited_by(d.pop("invited_by"))

        pending_invitation = cls(
            id=id,
            email=email,
            role=role,
            expires_at=expires_at,
            created_at=created_at,
            invited_by=invited_by,
        )

        return pending_invitation
