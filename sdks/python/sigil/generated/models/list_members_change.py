from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.list_members_change_results_item import ListMembersChangeResultsItem


T = TypeVar("T", bound="ListMembersChange")


@_attrs_define
class ListMembersChange:
    """
    Attributes:
        list_id (str):
        results (list[ListMembersChangeResultsItem]):
        changed (int): How many ids changed membership.
    """

    list_id: str
    results: list[ListMembersChangeResultsItem]
    changed: int

    def to_dict(self) -> dict[str, Any]:
        list_id = self.list_id

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        changed = self.changed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "list_id": list_id,
                "results": results,
                "changed": changed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_members_change_results_item import (
            ListMembersChangeResultsItem,
        )

        d = dict(src_dict)
        list_id = d.pop("list_id")

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = ListMembersChangeResultsItem.from_dict(results_item_data)

            results.append(results_item)

        changed = d.pop("changed")

        list_members_change = cls(
            list_id=list_id,
            results=results,
            changed=changed,
        )

        return list_members_change
