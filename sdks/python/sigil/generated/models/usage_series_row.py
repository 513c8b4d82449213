from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.usage_series_row_outcomes import UsageSeriesRowOutcomes
    from ..models.usage_series_row_routes import UsageSeriesRowRoutes


T = TypeVar("T", bound="UsageSeriesRow")


@_attrs_define
class UsageSeriesRow:
    """
    Attributes:
        credential_id (str):
        at (datetime.datetime):
        total (int):
        outcomes (UsageSeriesRowOutcomes | Unset):
        routes (UsageSeriesRowRoutes | Unset): With `group_by=route`: `METHOD /path/template` → count.
    """

    credential_id: str
    at: datetime.datetime
    total: int
    outcomes: UsageSeriesRowOutcomes | Unset = UNSET
    routes: UsageSeriesRowRoutes | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credential_id = self.credential_id

        at = self.at.isoformat()

        total = self.total

        outcomes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.outcomes, Unset):
            outcomes = self.outcomes.to_dict()

        routes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.routes, Unset):
            routes = self.routes.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "credential_id": credential_id,
                "at": at,
                "total": total,
            }
        )
        if outcomes is not UNSET:
            field_dict["outcomes"] = outcomes
        if routes is not UNSET:
            field_dict["routes"] = routes

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.usage_series_row_outcomes import UsageSeriesRowOutcomes
        from ..models.usage_series_row_routes import UsageSeriesRowRoutes

        d = dict(src_dict)
        credential_id = d.pop("credential_id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        total = d.pop("total")

        _outcomes = d.pop("outcomes", UNSET)
        outcomes: UsageSeriesRowOutcomes | Unset
        if isinstance(_outcomes, Unset):
            outcomes = UNSET
        else:
            outcomes = UsageSeriesRowOutcomes.from_dict(_outcomes)

        _routes = d.pop("routes", UNSET)
        routes: UsageSeriesRowRoutes | Unset
        if isinstance(_routes, Unset):
            routes = UNSET
        else:
            routes = UsageSeriesRowRoutes.from_dict(_routes)

        usage_series_row = cls(
            credential_id=credential_id,
            at=at,
            total=total,
            outcomes=outcomes,
            routes=routes,
        )

        return usage_series_row
