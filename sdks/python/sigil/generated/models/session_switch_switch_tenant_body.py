from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SessionSwitchSwitchTenantBody")


@_attrs_define
class SessionSwitchSwitchTenantBody:
    """
    Attributes:
        tenant_id (str):
    """

    tenant_id: str

    def to_dict(self) -> dict[str, Any]:
        tenant_id = self.tenant_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tenant_id": tenant_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant_id = d.pop("tenant_id")

        session_switch_switch_tenant_body = cls(
            tenant_id=tenant_id,
        )

        return session_switch_switch_tenant_body
