from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.recovery_status import RecoveryStatus

T = TypeVar("T", bound="Recovery")


@_attrs_define
class Recovery:
    """
    Attributes:
        id (str):
        webhook_id (str):
        status (RecoveryStatus):
        since (datetime.datetime):
        until (datetime.datetime):
        total (int): Failed or skipped deliveries in the window when the recovery started.
        recovered (int): Deliveries queued again so far.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        completed_at (datetime.datetime | None):
    """

    id: str
    webhook_id: str
    status: RecoveryStatus
    since: datetime.datetime
    until: datetime.datetime
    total: int
    recovered: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    completed_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        webhook_id = self.webhook_id

        status = self.status.value

        since = self.since.isoformat()

        until = self.until.isoformat()

        total = self.total

        recovered = self.recovered

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "webhook_id": webhook_id,
                "status": status,
                "since": since,
                "until": until,
                "total": total,
                "recovered": recovered,
                "created_at": created_at,
                "updated_at": updated_at,
                "completed_at": completed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        webhook_id = d.pop("webhook_id")

        status = RecoveryStatus(d.pop("status"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        total = d.pop("total")

        recovered = d.pop("recovered")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        recovery = cls(
            id=id,
            webhook_id=webhook_id,
            status=status,
            since=since,
            until=until,
            total=total,
            recovered=recovered,
            created_at=created_at,
            updated_at=updated_at,
            completed_at=completed_at,
        )

        return recovery
