from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_upsert_result_results_item_error_details_item import (
        BatchUpsertResultResultsItemErrorDetailsItem,
    )


T = TypeVar("T", bound="BatchUpsertResultResultsItemError")


@_attrs_define
class BatchUpsertResultResultsItemError:
    """
    Attributes:
        code (str):
        message (str):
        details (list[BatchUpsertResultResultsItemErrorDetailsItem] | Unset):
        existing_id (str | Unset):
    """

    code: str
    message: str
    details: list[BatchUpsertResultResultsItemErrorDetailsItem] | Unset = UNSET
    existing_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        details: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = []
            for details_item_data in self.details:
                details_item = details_item_data.to_dict()
                details.append(details_item)

        existing_id = self.existing_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if details is not UNSET:
            field_dict["details"] = details
        if existing_id is not UNSET:
            field_dict["existing_id"] = existing_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.batch_upsert_result_results_item_error_details_item import (
            BatchUpsertResultResultsItemErrorDetailsItem,
        )

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        _details = d.pop("details", UNSET)
        details: list[BatchUpsertResultResultsItemErrorDetailsItem] | Unset = UNSET
        if _details is not UNSET:
            details = []
            for details_item_data in _details:
                details_item = BatchUpsertResultResultsItemErrorDetailsItem.from_dict(
                    details_item_data
                )

                details.append(details_item)

        existing_id = d.pop("existing_id", UNSET)

        batch_upsert_result_results_item_error = cls(
            code=code,
            message=message,
            details=details,
            existing_id=existing_id,
        )

        return batch_upsert_result_results_item_error
