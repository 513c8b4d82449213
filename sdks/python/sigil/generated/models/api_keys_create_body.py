from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_keys_create_body_environment import ApiKeysCreateBodyEnvironment
from ..models.api_keys_create_body_scopes_item import ApiKeysCreateBodyScopesItem
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeysCreateBody")


@_attrs_define
class ApiKeysCreateBody:
    """
    Attributes:
        name (str):
        environment (ApiKeysCreateBodyEnvironment):
        scopes (list[ApiKeysCreateBodyScopesItem]):
        expires_at (datetime.datetime | None | Unset):
        rate_limit_per_minute (int | None | Unset):
        allowed_cidrs (list[str] | None | Unset):
    """

    name: str
    environment: ApiKeysCreateBodyEnvironment
    scopes: list[ApiKeysCreateBodyScopesItem]
    expires_at: datetime.datetime | None | Unset = UNSET
    rate_limit_per_minute: int | None | Unset = UNSET
    allowed_cidrs: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        environment = self.environment.value

        scopes = []
        for scopes_item_data in self.scopes:
            scopes_item = scopes_item_data.value
            scopes.append(scopes_item)

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

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

        field_dict.update(
            {
                "name": name,
                "environment": environment,
                "scopes": scopes,
            }
        )
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if rate_limit_per_minute is not UNSET:
            field_dict["rate_limit_per_minute"] = rate_limit_per_minute
        if allowed_cidrs is not UNSET:
            field_dict["allowed_cidrs"] = allowed_cidrs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        environment = ApiKeysCreateBodyEnvironment(d.pop("environment"))

        scopes = []
        _scopes = d.pop("scopes")
        for scopes_item_data in _scopes:
            scopes_item = ApiKeysCreateBodyScopesItem(scopes_item_data)

            scopes.append(scopes_item)

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

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

        api_keys_create_body = cls(
            name=name,
            environment=environment,
            scopes=scopes,
            expires_at=expires_at,
            rate_limit_per_minute=rate_limit_per_minute,
            allowed_cidrs=allowed_cidrs,
        )

        return api_keys_create_body
