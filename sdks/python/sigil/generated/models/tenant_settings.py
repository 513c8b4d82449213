from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.tenant_settings_leaked_key_policy import TenantSettingsLeakedKeyPolicy

T = TypeVar("T", bound="TenantSettings")


@_attrs_define
class TenantSettings:
    """
    Attributes:
        leaked_key_policy (TenantSettingsLeakedKeyPolicy):
        updated_at (datetime.datetime | None):
    """

    leaked_key_policy: TenantSettingsLeakedKeyPolicy
    updated_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        leaked_key_policy = self.leaked_key_policy.value

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "leaked_key_policy": leaked_key_policy,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        leaked_key_policy = TenantSettingsLeakedKeyPolicy(d.pop("leaked_key_policy"))

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        tenant_settings = cls(
            leaked_key_policy=leaked_key_policy,
            updated_at=updated_at,
        )

        return tenant_settings
