from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.settings_update_body_leaked_key_policy import (
    SettingsUpdateBodyLeakedKeyPolicy,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="SettingsUpdateBody")


@_attrs_define
class SettingsUpdateBody:
    """
    Attributes:
        leaked_key_policy (SettingsUpdateBodyLeakedKeyPolicy | Unset):
    """

    leaked_key_policy: SettingsUpdateBodyLeakedKeyPolicy | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        leaked_key_policy: str | Unset = UNSET
        if not isinstance(self.leaked_key_policy, Unset):
            leaked_key_policy = self.leaked_key_policy.value

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if leaked_key_policy is not UNSET:
            field_dict["leaked_key_policy"] = leaked_key_policy

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _leaked_key_policy = d.pop("leaked_key_policy", UNSET)
        leaked_key_policy: SettingsUpdateBodyLeakedKeyPolicy | Unset
        if isinstance(_leaked_key_policy, Unset):
            leaked_key_policy = UNSET
        else:
            leaked_key_policy = SettingsUpdateBodyLeakedKeyPolicy(_leaked_key_policy)

        settings_update_body = cls(
            leaked_key_policy=leaked_key_policy,
        )

        return settings_update_body
