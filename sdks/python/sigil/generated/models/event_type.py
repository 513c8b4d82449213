from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_type_schema import EventTypeSchema


T = TypeVar("T", bound="EventType")


@_attrs_define
class EventType:
    """
    Attributes:
        type_ (str):
        description (str):
        schema (EventTypeSchema): JSON Schema (draft-07) of the event's `data`.
        example (Any | Unset): An example `data`.
    """

    type_: str
    description: str
    schema: EventTypeSchema
    example: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        description = self.description

        schema = self.schema.to_dict()

        example = self.example

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "description": description,
                "schema": schema,
            }
        )
        if example is not UNSET:
            field_dict["example"] = example

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_type_schema import EventTypeSchema

        d = dict(src_dict)
        type_ = d.pop("type")

        description = d.pop("description")

        schema = EventTypeSchema.from_dict(d.pop("schema"))

        example = d.pop("example", UNSET)

        event_type = cls(
            type_=type_,
            description=description,
            schema=schema,
            example=example,
        )

        return event_type
