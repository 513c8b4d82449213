from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define

from ..models.signup_result_mode import SignupResultMode

if TYPE_CHECKING:
    from ..models.signup_result_tenant import SignupResultTenant
    from ..models.signup_result_user import SignupResultUser


T = TypeVar("T", bound="SignupResult")


@_attrs_define
class SignupResult:
    """
    Attributes:
        token_type (Literal['Bearer']):
        access_token (str):
        refresh_token (str):
        expires_in (int):
        refresh_expires_in (int):
        mode (SignupResultMode): The mode the session acts in (carried in the access token).
        tenant (SignupResultTenant):
        user (SignupResultUser):
    """

    token_type: Literal["Bearer"]
    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    mode: SignupResultMode
    tenant: SignupResultTenant
    user: SignupResultUser

    def to_dict(self) -> dict[str, Any]:
        token_type = self.token_type

        access_token = self.access_token

        refresh_token = self.refresh_token

        expires_in = self.expires_in

        refresh_expires_in = self.refresh_expires_in

        mode = self.mode.value

        tenant = self.tenant.to_dict()

        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token_type": token_type,
                "access_token": access_token,
                "refresh_token": refresh_token,
                "expires_in": expires_in,
                "refresh_expires_in": refresh_expires_in,
                "mode": mode,
                "tenant": tenant,
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.signup_result_tenant import SignupResultTenant
        from ..models.signup_result_user import SignupResultUser

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

        mode = SignupResultMode(d.pop("mode"))

        tenant = SignupResultTenant.from_dict(d.pop("tenant"))

        user = SignupResultUser.from_dict(d.pop("user"))

        signup_result = cls(
            token_type=token_type,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=expires_in,
            refresh_expires_in=refresh_expires_in,
            mode=mode,
            tenant=tenant,
            user=user,
        )

        return signup_result
