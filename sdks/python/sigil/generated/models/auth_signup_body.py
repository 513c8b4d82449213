from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.auth_signup_body_plan import AuthSignupBodyPlan
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthSignupBody")


@_attrs_define
class AuthSignupBody:
    """
    Attributes:
        email (str):
        password (str):
        organization_name (str):
        plan (AuthSignupBodyPlan | Unset):
    """

    email: str
    password: str
    organization_name: str
    plan: AuthSignupBodyPlan | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        organization_name = self.organization_name

        plan: str | Unset = UNSET
        if not isinstance(self.plan, Unset):
            plan = self.plan.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "organization_name": organization_name,
            }
        )
        if plan is not UNSET:
            field_dict["plan"] = plan

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        organization_name = d.pop("organization_name")

        _plan = d.pop("plan", UNSET)
        plan: AuthSignupBodyPlan | Unset
        if isinstance(_plan, Unset):
            plan = UNSET
        else:
            plan = AuthSignupBodyPlan(_plan)

        auth_signup_body = cls(
            email=email,
            password=password,
            organization_name=organization_name,
            plan=plan,
        )

        return auth_signup_body
