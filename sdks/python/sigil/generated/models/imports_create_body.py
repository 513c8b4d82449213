from __future__ import annotations

import json
from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..types import File

if TYPE_CHECKING:
    from ..models.imports_create_body_options import ImportsCreateBodyOptions


T = TypeVar("T", bound="ImportsCreateBody")


@_attrs_define
class ImportsCreateBody:
    """Exactly two parts: `options` first, then `file` (the file is streamed as it arrives); a 400 otherwise. Also: a CSV
    `file`'s header names every key of `options.mapping` (a 400).

        Attributes:
            options (ImportsCreateBodyOptions): no two keys of `mapping` may have the same value (a 400).
            file (File): The CSV (with a header row) or NDJSON file, UTF-8, at most 200 MB.
    """

    options: ImportsCreateBodyOptions
    file: File
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        options = self.options.to_dict()

        file = self.file.to_tuple()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "options": options,
                "file": file,
            }
        )

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(
            (
                "options",
                (None, json.dumps(self.options.to_dict()).encode(), "application/json"),
            )
        )

        files.append(("file", self.file.to_tuple()))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.imports_create_body_options import ImportsCreateBodyOptions

        d = dict(src_dict)
        options = ImportsCreateBodyOptions.from_dict(d.pop("options"))

        file = File(payload=BytesIO(d.pop("file")))

        imports_create_body = cls(
            options=options,
            file=file,
        )

        imports_create_body.additional_properties = d
        return imports_create_body

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
