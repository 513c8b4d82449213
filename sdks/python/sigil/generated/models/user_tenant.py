from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.user_tenant_role import UserTenantRole

T = TypeVar("T", bound="UserTenant")


@_attrs_define
class UserTenant:
    """
    Attributes:
        id (str):
        name (str):
        role (UserTenantRole):
        current (bool): Whether the calling session is in this tenant.
        joined_at (datetime.datetime):
    """

    id: str
    name: str
    role: UserTenantRole
    current: bool
    joined_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        role = self.role.value

        current = self.current

        joined_at = self.joined_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "role": role,
                "current": current,
                "joined_at": joined_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        role = UserTenantRole(d.pop("role"))

        current = d.pop("current")

        joined_at = datetime.datetime.fromisoformat(d.pop("joined_at"))

        user_tenant = cls(
            id=id,
            name=name,
            role=role,
            current=current,
            joined_at=joined_at,
        )

        return user_tenant
