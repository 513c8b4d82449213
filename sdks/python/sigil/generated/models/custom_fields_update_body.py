from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.custom_fields_update_body_type import CustomFieldsUpdateBodyType
from ..types import UNSET, Unset

T = TypeVar("T", bound="CustomFieldsUpdateBody")


@_attrs_define
class CustomFieldsUpdateBody:
    """
    Attributes:
        label (str | Unset):
        type_ (CustomFieldsUpdateBodyType | Unset):
        options (list[str] | Unset):
        required (bool | Unset):
    """

    label: str | Unset = UNSET
    type_: CustomFieldsUpdateBodyType | Unset = UNSET
    options: list[str] | Unset = UNSET
    required: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        options: list[str] | Unset = UNSET
        if not isinstance(self.options, Unset):
            options = self.options

        required = self.required

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if label is not UNSET:
            field_dict["label"] = label
        if type_ is not UNSET:
            field_dict["type"] = type_
        if options is not UNSET:
            field_dict["options"] = options
        if required is not UNSET:
            field_dict["required"] = required

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        label = d.pop("label", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: CustomFieldsUpdateBodyType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = CustomFieldsUpdateBodyType(_type_)

        options = cast(list[str], d.pop("options", UNSET))

        required = d.pop("required", UNSET)

        custom_fields_update_body = cls(
            label=label,
            type_=type_,
            options=options,
            required=required,
        )

        return custom_fields_update_body
