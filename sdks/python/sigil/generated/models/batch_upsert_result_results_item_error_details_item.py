from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BatchUpsertResultResultsItemErrorDetailsItem")


@_attrs_define
class BatchUpsertResultResultsItemErrorDetailsItem:
    """
    Attributes:
        field (str):
        code (str):
        message (str):
    """

    field: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        field = self.field

        code = self.code

        message = self.message

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "field": field,
                "code": code,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        field = d.pop("field")

        code = d.pop("code")

        message = d.pop("message")

        batch_upsert_result_results_item_error_details_item = cls(
            field=field,
            code=code,
            message=message,
        )

        return batch_upsert_result_results_item_error_details_item
