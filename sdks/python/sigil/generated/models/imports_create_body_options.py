from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.imports_create_body_options_format import ImportsCreateBodyOptionsFormat
from ..models.imports_create_body_options_match_on import (
    ImportsCreateBodyOptionsMatchOn,
)
from ..models.imports_create_body_options_mode import ImportsCreateBodyOptionsMode
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.imports_create_body_options_mapping import (
        ImportsCreateBodyOptionsMapping,
    )


T = TypeVar("T", bound="ImportsCreateBodyOptions")


@_attrs_define
class ImportsCreateBodyOptions:
    """no two keys of `mapping` may have the same value (a 400).

    Attributes:
        format_ (ImportsCreateBodyOptionsFormat):
        mapping (ImportsCreateBodyOptionsMapping):
        match_on (ImportsCreateBodyOptionsMatchOn | Unset):  Default: ImportsCreateBodyOptionsMatchOn.EMAIL.
        mode (ImportsCreateBodyOptionsMode | Unset):  Default: ImportsCreateBodyOptionsMode.UPSERT.
        tags (list[str] | Unset):
        list_id (str | Unset): The id of one of your lists (`POST /v1/lists`); any other value is a 400 on `list_id`.
    """

    format_: ImportsCreateBodyOptionsFormat
    mapping: ImportsCreateBodyOptionsMapping
    match_on: ImportsCreateBodyOptionsMatchOn | Unset = (
        ImportsCreateBodyOptionsMatchOn.EMAIL
    )
    mode: ImportsCreateBodyOptionsMode | Unset = ImportsCreateBodyOptionsMode.UPSERT
    tags: list[str] | Unset = UNSET
    list_id: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        format_ = self.format_.value

        mapping = self.mapping.to_dict()

        match_on: str | Unset = UNSET
        if not isinstance(self.match_on, Unset):
            match_on = self.match_on.value

        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        list_id = self.list_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "format": format_,
                "mapping": mapping,
            }
        )
        if match_on is not UNSET:
            field_dict["match_on"] = match_on
        if mode is not UNSET:
            field_dict["mode"] = mode
        if tags is not UNSET:
            field_dict["tags"] = tags
        if list_id is not UNSET:
            field_dict["list_id"] = list_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.imports_create_body_options_mapping import (
            ImportsCreateBodyOptionsMapping,
        )

        d = dict(src_dict)
        format_ = ImportsCreateBodyOptionsFormat(d.pop("format"))

        mapping = ImportsCreateBodyOptionsMapping.from_dict(d.pop("mapping"))

        _match_on = d.pop("match_on", UNSET)
        match_on: ImportsCreateBodyOptionsMatchOn | Unset
        if isinstance(_match_on, Unset):
            match_on = UNSET
        else:
            match_on = ImportsCreateBodyOptionsMatchOn(_match_on)

        _mode = d.pop("mode", UNSET)
        mode: ImportsCreateBodyOptionsMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = ImportsCreateBodyOptionsMode(_mode)

        tags = cast(list[str], d.pop("tags", UNSET))

        list_id = d.pop("list_id", UNSET)

        imports_create_body_options = cls(
            format_=format_,
            mapping=mapping,
            match_on=match_on,
            mode=mode,
            tags=tags,
            list_id=list_id,
        )

        return imports_create_body_options
