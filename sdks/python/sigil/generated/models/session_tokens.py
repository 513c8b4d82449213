from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..models.session_tokens_mode import SessionTokensMode

T = TypeVar("T", bound="SessionTokens")


@_attrs_define
class SessionTokens:
    """
    Attributes:
        token_type (Literal['Bearer']):
        access_token (str):
        refresh_token (str):
        expires_in (int):
        refresh_expires_in (int):
        mode (SessionTokensMode): The mode the session acts in (carried in the access token).
    """

    token_type: Literal["Bearer"]
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    mode: SessionTokensMode

    def to_dict(self) -> dict[str, Any]:
        token_type = self.token_type

        access_token = self.access_token

        refresh_token = self.refresh_token

        expires_in = self.expires_in

        refresh_expires_in = self.refresh_expires_in

        mode = self.mode.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token_type": token_type,
                "access_token": access_token,
                "refresh_token": refresh_token,
                "expires_in": expires_in,
                "refresh_expires_in": refresh_expires_in,
                "mode": mode,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token_type = cast(Literal["Bearer"], d.pop("token_type"))
        if token_type != "Bearer":
            raise ValueError(
                f"token_type must match const 'Bearer', got '{token_type}'"
            )

        access_token = d.pop("access_token")

        refresh_token = d.pop("refresh_token")

        expires_in = d.pop("expires_in")

        refresh_expires_in = d.pop("refresh_expires_in")

        mode = SessionTokensMode(d.pop("mode"))

        session_tokens = cls(
            token_type=token_type,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=expires_in,
            refresh_expires_in=refresh_expires_in,
            mode=mode,
        )

        return session_tokens
