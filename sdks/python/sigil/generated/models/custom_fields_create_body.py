from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.custom_fields_create_body_type import CustomFieldsCreateBodyType
from ..types import UNSET, Unset

T = TypeVar("T", bound="CustomFieldsCreateBody")


@_attrs_define
class CustomFieldsCreateBody:
    """
    Attributes:
        key (str):
        label (str):
        type_ (CustomFieldsCreateBodyType):
        options (list[str] | Unset):
        required (bool | Unset):
    """

    key: str
    label: str
    type_: CustomFieldsCreateBodyType
    options: list[str] | Unset = UNSET
    required: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        label = self.label

        type_ = self.type_.value

        options: list[str] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options

        required = self.required

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "label": label,
                "type": type_,
            }
        )
        if options is not UNSET:
            field_dict["options"] = options
        if required is not UNSET:
            field_dict["required"] = required

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key")

        label = d.pop("label")

        type_ = CustomFieldsCreateBodyType(d.pop("type"))

        options = cast(list[str], d.pop("options", UNSET))

        required = d.pop("required", UNSET)

        custom_fields_create_body = cls(
            key=key,
            label=label,
            type_=type_,
            options=options,
            required=required,
        )

        return custom_fields_create_body
