from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.batch_upsert_result_results_item import BatchUpsertResultResultsItem


T = TypeVar("T", bound="BatchUpsertResult")


@_attrs_define
class BatchUpsertResult:
    """
    Attributes:
        results (list[BatchUpsertResultResultsItem]):
        created (int):
        updated (int):
        unchanged (int):
        failed (int):
    """

    results: list[BatchUpsertResultResultsItem]
    created: int
    updated: int
    unchanged: int
    failed: int

    def to_dict(self) -> dict[str, Any]:
        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        created = self.created

        updated = self.updated

        unchanged = self.unchanged

        failed = self.failed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "results": results,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "failed": failed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_upsert_result_results_item import (
            BatchUpsertResultResultsItem,
        )

        d = dict(src_dict)
        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = BatchUpsertResultResultsItem.from_dict(results_item_data)

            results.append(results_item)

        created = d.pop("created")

        updated = d.pop("updated")

        unchanged = d.pop("unchanged")

        failed = d.pop("failed")

        batch_upsert_result = cls(
            results=results,
            created=created,
            updated=updated,
            unchanged=unchanged,
            failed=failed,
        )

        return batch_upsert_result
