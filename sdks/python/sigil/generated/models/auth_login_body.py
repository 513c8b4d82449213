from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.auth_login_body_mode import AuthLoginBodyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthLoginBody")


@_attrs_define
class AuthLoginBody:
    """
    Attributes:
        email (str):
        password (str):
        mode (AuthLoginBodyMode | Unset):
    """

    email: str
    password: str
    mode: AuthLoginBodyMode | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        _mode = d.pop("mode", UNSET)
        mode: AuthLoginBodyMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = AuthLoginBodyMode(_mode)

        auth_login_body = cls(
            email=email,
            password=password,
            mode=mode,
        )

        return auth_login_body
