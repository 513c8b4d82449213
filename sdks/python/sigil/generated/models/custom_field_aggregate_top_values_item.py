from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="CustomFieldAggregateTopValuesItem")


@_attrs_define
class CustomFieldAggregateTopValuesItem:
    """
    Attributes:
        value (bool | float | list[str] | None | str):
        count (int):
    """

    value: bool | float | list[str] | None | str
    count: int

    def to_dict(self) -> dict[str, Any]:
        value: bool | float | list[str] | None | str
        if isinstance(self.value, list):
            value = self.value

        else:
            value = self.value

        count = self.count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "value": value,
                "count": count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_value(data: object) -> bool | float | list[str] | None | str:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                value_type_3 = cast(list[str], data)

                return value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | float | list[str] | None | str, data)

        value = _parse_value(d.pop("value"))

        count = d.pop("count")

        custom_field_aggregate_top_values_item = cls(
            value=value,
            count=count,
        )

        return custom_field_aggregate_top_values_item
