from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.auth_refresh_body_mode import AuthRefreshBodyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthRefreshBody")


@_attrs_define
class AuthRefreshBody:
    """
    Attributes:
        refresh_token (str):
        mode (AuthRefreshBodyMode | Unset):
    """

    refresh_token: str
    mode: AuthRefreshBodyMode | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        refresh_token = self.refresh_token

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "refresh_token": refresh_token,
            }
        )
        if mode is not UNSET:
            field_dict["mode"] = mode

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        refresh_token = d.pop("refresh_token")

        _mode = d.pop("mode", UNSET)
        mode: AuthRefreshBodyMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = AuthRefreshBodyMode(_mode)

        auth_refresh_body = cls(
            refresh_token=refresh_token,
            mode=mode,
        )

        return auth_refresh_body
