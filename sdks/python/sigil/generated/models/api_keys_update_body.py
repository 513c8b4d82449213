from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_keys_update_body_scopes_item import ApiKeysUpdateBodyScopesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeysUpdateBody")


@_attrs_define
class ApiKeysUpdateBody:
    """
    Attributes:
        name (str | Unset):
        scopes (list[ApiKeysUpdateBodyScopesItem] | Unset):
        rate_limit_per_minute (int | None | Unset):
        allowed_cidrs (list[str] | None | Unset):
    """

    name: str | Unset = UNSET
    scopes: list[ApiKeysUpdateBodyScopesItem] | Unset = UNSET
    rate_limit_per_minute: int | None | Unset = UNSET
    allowed_cidrs: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        scopes: list[str] | Unset = UNSET
        if not isinstance(self.scopes, Unset):
            scopes = []
            for scopes_item_data in self.scopes:
                scopes_item = scopes_item_data.value
                scopes.append(scopes_item)

        rate_limit_per_minute: int | None | Unset
        if isinstance(self.rate_limit_per_minute, Unset):
            rate_limit_per_minute = UNSET
        else:
            rate_limit_per_minute = self.rate_limit_per_minute

        allowed_cidrs: list[str] | None | Unset
        if isinstance(self.allowed_cidrs, Unset):
            allowed_cidrs = UNSET
        elif isinstance(self.allowed_cidrs, list):
            allowed_cidrs = self.allowed_cidrs

        else:
            allowed_cidrs = self.allowed_cidrs

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if scopes is not UNSET:
            field_dict["scopes"] = scopes
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute
        if allowed_cidrs is not UNSET:
            field_dict["allowed_cidrs"] = allowed_cidrs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _scopes = d.pop("scopes", UNSET)
        scopes: list[ApiKeysUpdateBodyScopesItem] | Unset = UNSET
        if _scopes is not UNSET:
            scopes = []
            for scopes_item_data in _scopes:
                scopes_item = ApiKeysUpdateBodyScopesItem(scopes_item_data)

                scopes.append(scopes_item)

        def _parse_rate_limit_per_minute(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_minute = _parse_rate_limit_per_minute(
            d.pop("rate_limit_per_minute", UNSET)
        )

        def _parse_allowed_cidrs(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_cidrs_type_0 = cast(list[str], data)

                return allowed_cidrs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        allowed_cidrs = _parse_allowed_cidrs(d.pop("allowed_cidrs", UNSET))

        api_keys_update_body = cls(
            name=name,
            scopes=scopes,
            rate_limit_per_minute=rate_limit_per_minute,
            allowed_cidrs=allowed_cidrs,
        )

        return api_keys_update_body
