from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.meta import Meta
    from ..models.usage_day import UsageDay
    from ..models.usage_series_row import UsageSeriesRow
    from ..models.usage_usage_response_200_links import UsageUsageResponse200Links


T = TypeVar("T", bound="UsageUsageResponse200")


@_attrs_define
class UsageUsageResponse200:
    """
    Attributes:
        data (list[UsageDay] | list[UsageSeriesRow]): Without `interval`/`group_by`: per credential per day by status
            class; with them: the series.
        meta (Meta):
        links (UsageUsageResponse200Links | Unset):
    """

    data: list[UsageDay] | list[UsageSeriesRow]
    meta: Meta
    links: UsageUsageResponse200Links | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: list[dict[str, Any]]
        if isinstance(self.data, list):
            data = []
            for componentsschemas_usage_report_type_0_item_data in self.data:
                componentsschemas_usage_report_type_0_item = (
                    componentsschemas_usage_report_type_0_item_data.to_dict()
                )
                data.append(componentsschemas_usage_report_type_0_item)

        else:
            data = []
            for componentsschemas_usage_report_type_1_item_data in self.data:
                componentsschemas_usage_report_type_1_item = (
                    componentsschemas_usage_report_type_1_item_data.to_dict()
                )
                data.append(componentsschemas_usage_report_type_1_item)

        meta = self.meta.to_dict()

        links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.meta import Meta
        from ..models.usage_day import UsageDay
        from ..models.usage_series_row import UsageSeriesRow
        from ..models.usage_usage_response_200_links import UsageUsageResponse200Links

        d = dict(src_dict)

        def _parse_data(data: object) -> list[UsageDay] | list[UsageSeriesRow]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_usage_report_type_0 = []
                _componentsschemas_usage_report_type_0 = data
                for (
                    componentsschemas_usage_report_type_0_item_data
                ) in _componentsschemas_usage_report_type_0:
                    componentsschemas_usage_report_type_0_item = UsageDay.from_dict(
                        componentsschemas_usage_report_type_0_item_data
                    )

                    componentsschemas_usage_report_type_0.append(
                        componentsschemas_usage_report_type_0_item
                    )

                return componentsschemas_usage_report_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_usage_report_type_1 = []
            _componentsschemas_usage_report_type_1 = data
            for (
                componentsschemas_usage_report_type_1_item_data
            ) in _componentsschemas_usage_report_type_1:
                componentsschemas_usage_report_type_1_item = UsageSeriesRow.from_dict(
                    componentsschemas_usage_report_type_1_item_data
                )

                componentsschemas_usage_report_type_1.append(
                    componentsschemas_usage_report_type_1_item
                )

            return componentsschemas_usage_report_type_1

        data = _parse_data(d.pop("data"))

        meta = Meta.from_dict(d.pop("meta"))

        _links = d.pop("links", UNSET)
        links: UsageUsageResponse200Links | Unset
        if isinstance(_links, Unset):
            links = UNSET
        else:
            links = UsageUsageResponse200Links.from_dict(_links)

        usage_usage_response_200 = cls(
            data=data,
            meta=meta,
            links=links,
        )

        usage_usage_response_200.additional_properties = d
        return usage_usage_response_200

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
