from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.consent_record_status import ConsentRecordStatus

T = TypeVar("T", bound="ConsentRecord")


@_attrs_define
class ConsentRecord:
    """
    Attributes:
        status (ConsentRecordStatus):
        source (str):
        ip (None | str):
        actor (str):
        occurred_at (datetime.datetime):
    """

    status: ConsentRecordStatus
    source: str
    ip: None | str
    actor: str
    occurred_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        source = self.source

        ip: None | str
        ip = self.ip

        actor = self.actor

        occurred_at = self.occurred_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
                "source": source,
                "ip": ip,
                "actor": actor,
                "occurred_at": occurred_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = ConsentRecordStatus(d.pop("status"))

        source = d.pop("source")

        def _parse_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip = _parse_ip(d.pop("ip"))

        actor = d.pop("actor")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        consent_record = cls(
            status=status,
            source=source,
            ip=ip,
            actor=actor,
            occurred_at=occurred_at,
        )

        return consent_record
