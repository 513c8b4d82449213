from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.subscription_change_subscription_status import (
    SubscriptionChangeSubscriptionStatus,
)

T = TypeVar("T", bound="SubscriptionChange")


@_attrs_define
class SubscriptionChange:
    """
    Attributes:
        contact_id (str):
        subscription_status (SubscriptionChangeSubscriptionStatus):
    """

    contact_id: str
    subscription_status: SubscriptionChangeSubscriptionStatus

    def to_dict(self) -> dict[str, Any]:
        contact_id = self.contact_id

        subscription_status = self.subscription_status.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "contact_id": contact_id,
                "subscription_status": subscription_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        contact_id = d.pop("contact_id")

        subscription_status = SubscriptionChangeSubscriptionStatus(
            d.pop("subscription_status")
        )

        subscription_change = cls(
            contact_id=contact_id,
            subscription_status=subscription_status,
        )

        return subscription_change
