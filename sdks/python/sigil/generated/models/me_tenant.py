from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.me_tenant_plan import MeTenantPlan

if TYPE_CHECKING:
    from ..models.tenant_limits import TenantLimits


T = TypeVar("T", bound="MeTenant")


@_attrs_define
class MeTenant:
    """
    Attributes:
        id (str):
        name (str):
        plan (MeTenantPlan):
        limits (TenantLimits):
    """

    id: str
    name: str
    plan: MeTenantPlan
    limits: TenantLimits

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        plan = self.plan.value

        limits = self.limits.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "plan": plan,
                "limits": limits,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.tenant_limits import TenantLimits

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        plan = MeTenantPlan(d.pop("plan"))

        limits = TenantLimits.from_dict(d.pop("limits"))

        me_tenant = cls(
            id=id,
            name=name,
            plan=plan,
            limits=limits,
        )

        return me_tenant
