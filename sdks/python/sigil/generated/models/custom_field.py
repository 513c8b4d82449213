from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.custom_field_type import CustomFieldType

T = TypeVar("T", bound="CustomField")


@_attrs_define
class CustomField:
    """
    Attributes:
        key (str):
        label (str):
        type_ (CustomFieldType):
        options (list[str] | None):
        required (bool):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    key: str
    label: str
    type_: CustomFieldType
    options: list[str] | None
    required: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        label = self.label

        type_ = self.type_.value

        options: list[str] | None
        if isinstance(self.options, list):
            options = self.options

        else:
            options = self.options

        required = self.required

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "label": label,
                "type": type_,
                "options": options,
                "required": required,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        label = d.pop("label")

        type_ = CustomFieldType(d.pop("type"))

        def _parse_options(data: object) -> list[str] | None:
            if data is None:
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                options_type_0 = cast(list[str], data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None, data)

        options = _parse_options(d.pop("options"))

        required = d.pop("required")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        custom_field = cls(
            key=key,
            label=label,
            type_=type_,
            options=options,
            required=required,
            created_at=created_at,
            updated_at=updated_at,
        )

        return custom_field
