from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportsCreateBodyOptionsType1")


@_attrs_define
class ImportsCreateBodyOptionsType1:
    """
    Attributes:
        match_on (Literal['email'] | Unset):
    """

    match_on: Literal["email"] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        match_on = self.match_on

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if match_on is not UNSET:
            field_dict["match_on"] = match_on

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        match_on = cast(Literal["email"] | Unset, d.pop("match_on", UNSET))
        if match_on != "email" and not isinstance(match_on, Unset):
            raise ValueError(f"match_on must match const 'email', got '{match_on}'")

        imports_create_body_options_type_1 = cls(
            match_on=match_on,
        )

        imports_create_body_options_type_1.additional_properties = d
        return imports_create_body_options_type_1

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
