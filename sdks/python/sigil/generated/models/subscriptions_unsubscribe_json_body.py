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

from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionsUnsubscribeJsonBody")


@_attrs_define
class SubscriptionsUnsubscribeJsonBody:
    """
    Attributes:
        token (str | Unset): A token of `POST /v1/contacts/{id}/confirmation` or `GET /v1/contacts/{id}/unsubscribe-
            token`; only a token the API issued is valid (a 400 otherwise).
        list_unsubscribe (Literal['One-Click'] | Unset):
    """

    token: str | Unset = UNSET
    list_unsubscribe: Literal["One-Click"] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        token = self.token

        list_unsubscribe = self.list_unsubscribe

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if token is not UNSET:
            field_dict["token"] = token
        if list_unsubscribe is not UNSET:
            field_dict["List-Unsubscribe"] = list_unsubscribe

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        token = d.pop("token", UNSET)

        list_unsubscribe = cast(
            Literal["One-Click"] | Unset, d.pop("List-Unsubscribe", UNSET)
        )
        if list_unsubscribe != "One-Click" and not isinstance(list_unsubscribe, Unset):
            raise ValueError(
                f"List-Unsubscribe must match const 'One-Click', got '{list_unsubscribe}'"
            )

        subscriptions_unsubscribe_json_body = cls(
            token=token,
            list_unsubscribe=list_unsubscribe,
        )

        return subscriptions_unsubscribe_json_body
