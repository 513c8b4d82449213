from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.custom_field_aggregate_type import CustomFieldAggregateType

if TYPE_CHECKING:
    from ..models.custom_field_aggregate_top_values_item import (
        CustomFieldAggregateTopValuesItem,
    )


T = TypeVar("T", bound="CustomFieldAggregate")


@_attrs_define
class CustomFieldAggregate:
    """
    Attributes:
        key (str):
        type_ (CustomFieldAggregateType):
        count (int):
        distinct (int):
        min_ (float | None | str):
        max_ (float | None | str):
        avg (float | None | str):
        sum_ (float | None):
        top_values (list[CustomFieldAggregateTopValuesItem]):
    """

    key: str
    type_: CustomFieldAggregateType
    count: int
    distinct: int
    min_: float | None | str
    max_: float | None | str
    avg: float | None | str
    sum_: float | None
    top_values: list[CustomFieldAggregateTopValuesItem]

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        type_ = self.type_.value

        count = self.count

        distinct = self.distinct

        min_: float | None | str
        min_ = self.min_

        max_: float | None | str
        max_ = self.max_

        avg: float | None | str
        avg = self.avg

        sum_: float | None
        sum_ = self.sum_

        top_values = []
        for top_values_item_data in self.top_values:
            top_values_item = top_values_item_data.to_dict()
            top_values.append(top_values_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "type": type_,
                "count": count,
                "distinct": distinct,
                "min": min_,
                "max": max_,
                "avg": avg,
                "sum": sum_,
                "top_values": top_values,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.custom_field_aggregate_top_values_item import (
            CustomFieldAggregateTopValuesItem,
        )

        d = dict(src_dict)
        key = d.pop("key")

        type_ = CustomFieldAggregateType(d.pop("type"))

        count = d.pop("count")

        distinct = d.pop("distinct")

        def _parse_min_(data: object) -> float | None | str:
            if data is None:
                return data
            return cast(float | None | str, data)

        min_ = _parse_min_(d.pop("min"))

        def _parse_max_(data: object) -> float | None | str:
            if data is None:
                return data
            return cast(float | None | str, data)

        max_ = _parse_max_(d.pop("max"))

        def _parse_avg(data: object) -> float | None | str:
            if data is None:
                return data
            return cast(float | None | str, data)

        avg = _parse_avg(d.pop("avg"))

        def _parse_sum_(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        sum_ = _parse_sum_(d.pop("sum"))

        top_values = []
        _top_values = d.pop("top_values")
        for top_values_item_data in _top_values:
            top_values_item = CustomFieldAggregateTopValuesItem.from_dict(
                top_values_item_data
            )

            top_values.append(top_values_item)

        custom_field_aggregate = cls(
            key=key,
            type_=type_,
            count=count,
            distinct=distinct,
            min_=min_,
            max_=max_,
            avg=avg,
            sum_=sum_,
            top_values=top_values,
        )

        return custom_field_aggregate
