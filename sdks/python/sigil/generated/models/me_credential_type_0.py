from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..models.me_credential_type_0_environment import MeCredentialType0Environment

T = TypeVar("T", bound="MeCredentialType0")


@_attrs_define
class MeCredentialType0:
    """
    Attributes:
        type_ (Literal['api_key']):
        id (str):
        prefix (str):
        environment (MeCredentialType0Environment):
        scopes (list[str]):
        rate_limit_per_minute (int | None):
        expires_at (datetime.datetime | None):
    """

    type_: Literal["api_key"]
    id: str
    prefix: str
    environment: MeCredentialType0Environment
    scopes: list[str]
    rate_limit_per_minute: int | None
    expires_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        id = self.id

        prefix = self.prefix

        environment = self.environment.value

        scopes = self.scopes

        rate_limit_per_minute: int | None
        rate_limit_per_minute = self.rate_limit_per_minute

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "id": id,
                "prefix": prefix,
                "environment": environment,
                "scopes": scopes,
                "rate_limit_per_minute": rate_limit_per_minute,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = cast(Literal["api_key"], d.pop("type"))
        if type_ != "api_key":
            raise ValueError(f"type must match const 'api_key', got '{type_}'")

        id = d.pop("id")

        prefix = d.pop("prefix")

        environment = MeCredentialType0Environment(d.pop("environment"))

        scopes = cast(list[str], d.pop("scopes"))

        def _parse_rate_limit_per_minute(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit_per_minute = _parse_rate_limit_per_minute(
            d.pop("rate_limit_per_minute")
        )

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

        me_credential_type_0 = cls(
            type_=type_,
            id=id,
            prefix=prefix,
            environment=environment,
            scopes=scopes,
            rate_limit_per_minute=rate_limit_per_minute,
            expires_at=expires_at,
        )

        return me_credential_type_0
