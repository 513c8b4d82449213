from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_key_environment import ApiKeyEnvironment
from ..models.api_key_status import ApiKeyStatus

T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """
    Attributes:
        id (str):
        name (str):
        environment (ApiKeyEnvironment):
        prefix (str):
        last4 (str):
        scopes (list[str]):
        rate_limit_per_minute (int | None):
        allowed_cidrs (list[str] | None): Networks the key may be used from; null: anywhere.
        status (ApiKeyStatus):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        expires_at (datetime.datetime | None):
        last_used_at (datetime.datetime | None):
        revoked_at (datetime.datetime | None):
    """

    id: str
    name: str
    environment: ApiKeyEnvironment
    prefix: str
    last4: str
    scopes: list[str]
    rate_limit_per_minute: int | None
    allowed_cidrs: list[str] | None
    status: ApiKeyStatus
    created_at: datetime.datetime
    updated_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        environment = self.environment.value

        prefix = self.prefix

        last4 = self.last4

        scopes = self.scopes

        rate_limit_per_minute: int | None
        rate_limit_per_minute = self.rate_limit_per_minute

        allowed_cidrs: list[str] | None
        if isinstance(self.allowed_cidrs, list):
            allowed_cidrs = self.allowed_cidrs

        else:
            allowed_cidrs = self.allowed_cidrs

        status = self.status.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "environment": environment,
                "prefix": prefix,
                "last4": last4,
                "scopes": scopes,
                "rate_limit_per_minute": rate_limit_per_minute,
                "allowed_cidrs": allowed_cidrs,
                "status": status,
                "created_at": created_at,
                "updated_at": updated_at,
                "expires_at": expires_at,
                "last_used_at": last_used_at,
                "revoked_at": revoked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        environment = ApiKeyEnvironment(d.pop("environment"))

        prefix = d.pop("prefix")

        last4 = d.pop("last4")

        scopes = cast(list[str], d.pop("scopes"))

        def _parse_rate_limit_per_minute(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit_per_minute = _parse_rate_limit_per_minute(
            d.pop("rate_limit_per_minute")
        )

        def _parse_allowed_cidrs(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                allowed_cidrs_type_0 = cast(list[str], data)

                return allowed_cidrs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        allowed_cidrs = _parse_allowed_cidrs(d.pop("allowed_cidrs"))

        status = ApiKeyStatus(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        def _parse_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        api_key = cls(
            id=id,
            name=name,
            environment=environment,
            prefix=prefix,
            last4=last4,
            scopes=scopes,
            rate_limit_per_minute=rate_limit_per_minute,
            allowed_cidrs=allowed_cidrs,
            status=status,
            created_at=created_at,
            updated_at=updated_at,
            expires_at=expires_at,
            last_used_at=last_used_at,
            revoked_at=revoked_at,
        )

        return api_key
