from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.batch_upsert_result_results_item_status import (
    BatchUpsertResultResultsItemStatus,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_upsert_result_results_item_error import (
        BatchUpsertResultResultsItemError,
    )


T = TypeVar("T", bound="BatchUpsertResultResultsItem")


@_attrs_define
class BatchUpsertResultResultsItem:
    """
    Attributes:
        index (int):
        status (BatchUpsertResultResultsItemStatus):
        id (str | Unset):
        error (BatchUpsertResultResultsItemError | Unset):
    """

    index: int
    status: BatchUpsertResultResultsItemStatus
    id: str | Unset = UNSET
    error: BatchUpsertResultResultsItemError | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        status = self.status.value

        id = self.id

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "index": index,
                "status": status,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_upsert_result_results_item_error import (
            BatchUpsertResultResultsItemError,
        )

        d = dict(src_dict)
        index = d.pop("index")

        status = BatchUpsertResultResultsItemStatus(d.pop("status"))

        id = d.pop("id", UNSET)

        _error = d.pop("error", UNSET)
        error: BatchUpsertResultResultsItemError | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = BatchUpsertResultResultsItemError.from_dict(_error)

        batch_upsert_result_results_item = cls(
            index=index,
            status=status,
            id=id,
            error=error,
        )

        return batch_upsert_result_results_item
