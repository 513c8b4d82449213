from __future__ import annotations

import json
from collections.abc import Mapping
from io import BytesIO
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..types import File

if TYPE_CHECKING:
    from ..models.imports_create_body_options_type_1 import (
        ImportsCreateBodyOptionsType1,
    )
    from ..models.imports_create_body_options_type_2 import (
        ImportsCreateBodyOptionsType2,
    )


T = TypeVar("T", bound="ImportsCreateBody")


@_attrs_define
class ImportsCreateBody:
    """a CSV `file`'s header names every key of `options.mapping` (a 400).

    Attributes:
        options (Any | ImportsCreateBodyOptionsType1 | ImportsCreateBodyOptionsType2): no two keys of `mapping` may have
            the same value (a 400).
        file (File): The CSV (with a header row) or NDJSON file, UTF-8, at most 200 MB.
    """

    options: Any | ImportsCreateBodyOptionsType1 | ImportsCreateBodyOptionsType2
    file: File
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.imports_create_body_options_type_1 import (
            ImportsCreateBodyOptionsType1,
        )
        from ..models.imports_create_body_options_type_2 import (
            ImportsCreateBodyOptionsType2,
        )

        options: Any | dict[str, Any]
        if isinstance(self.options, ImportsCreateBodyOptionsType1) or isinstance(
            self.options, ImportsCreateBodyOptionsType2
        ):
            options = self.options.to_dict()
        else:
            options = self.options

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
        from ..models.imports_create_body_options_type_1 import (
            ImportsCreateBodyOptionsType1,
        )

        files: types.RequestFiles = []

        if isinstance(self.options, Any):
            files.append(("options", (None, str(self.options).encode(), "text/plain")))
        elif isinstance(self.options, ImportsCreateBodyOptionsType1):
            files.append(
                (
                    "options",
                    (
                        None,
                        json.dumps(self.options.to_dict()).encode(),
                        "application/json",
                    ),
                )
            )
        else:
            files.append(
                (
                    "options",
                    (
                        None,
                        json.dumps(self.options.to_dict()).encode(),
                        "application/json",
                    ),
                )
            )

        files.append(("file", self.file.to_tuple()))

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.imports_create_body_options_type_1 import (
            ImportsCreateBodyOptionsType1,
        )
        from ..models.imports_create_body_options_type_2 import (
            ImportsCreateBodyOptionsType2,
        )

        d = dict(src_dict)

        def _parse_options(
            data: object,
        ) -> Any | ImportsCreateBodyOptionsType1 | ImportsCreateBodyOptionsType2:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_1 = ImportsCreateBodyOptionsType1.from_dict(data)

                return options_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_2 = ImportsCreateBodyOptionsType2.from_dict(data)

                return options_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                Any | ImportsCreateBodyOptionsType1 | ImportsCreateBodyOptionsType2,
                data,
            )

        options = _parse_options(d.pop("options"))

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
