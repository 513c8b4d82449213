from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="SubscriptionsConfirmBody")


@_attrs_define
class SubscriptionsConfirmBody:
    """
    Attributes:
        token (str): A token of `POST /v1/contacts/{id}/confirmation` or `GET /v1/contacts/{id}/unsubscribe-token`; only
            a token the API issued is valid (a 400 otherwise).
    """

    token: str

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token = d.pop("token")

        subscriptions_confirm_body = cls(
            token=token,
        )

        return subscriptions_confirm_body
