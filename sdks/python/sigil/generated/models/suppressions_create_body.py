from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SuppressionsCreateBody")


@_attrs_define
class SuppressionsCreateBody:
    """
    Attributes:
        email (str | Unset):
        domain (str | Unset):
        reason (str | Unset):
    """

    email: str | Unset = UNSET
    domain: str | Unset = UNSET
    reason: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        domain = self.domain

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if domain is not UNSET:
            field_dict["domain"] = domain
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email", UNSET)

        domain = d.pop("domain", UNSET)

        reason = d.pop("reason", UNSET)

        suppressions_create_body = cls(
            email=email,
            domain=domain,
            reason=reason,
        )

        return suppressions_create_body
