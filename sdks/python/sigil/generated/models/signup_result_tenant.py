from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.signup_result_tenant_plan import SignupResultTenantPlan
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.tenant_limits import TenantLimits


T = TypeVar("T", bound="SignupResultTenant")


@_attrs_define
class SignupResultTenant:
    """
    Attributes:
        id (str):
        name (str):
        plan (SignupResultTenantPlan):
        limits (TenantLimits | Unset):
    """

    id: str
    name: str
    plan: SignupResultTenantPlan
    limits: TenantLimits | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        plan = self.plan.value

        limits: dict[str, Any] | Unset = UNSET
        if not isinstance(self.limits, Unset):
            limits = self.limits.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "plan": plan,
            }
        )
        if limits is not UNSET:
            field_dict["limits"] = limits

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.tenant_limits import TenantLimits

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        plan = SignupResultTenantPlan(d.pop("plan"))

        _limits = d.pop("limits", UNSET)
        limits: TenantLimits | Unset
        if isinstance(_limits, Unset):
            limits = UNSET
        else:
            limits = TenantLimits.from_dict(_limits)

        signup_result_tenant = cls(
            id=id,
            name=name,
            plan=plan,
            limits=limits,
        )

        return signup_result_tenant
