from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.import_format import ImportFormat
from ..models.import_match_on import ImportMatchOn
from ..models.import_mode import ImportMode
from ..models.import_status import ImportStatus

T = TypeVar("T", bound="Import")


@_attrs_define
class Import:
    """
    Attributes:
        id (str):
        status (ImportStatus):
        format_ (ImportFormat):
        mode (ImportMode):
        match_on (ImportMatchOn):
        list_id (None | str): The list imported contacts are added to, if any.
        rows_total (int): Data rows in the file (header and blank lines not counted).
        rows_processed (int):
        created (int):
        updated (int):
        failed (int):
        bytes_ (int):
        error (None | str): Why the job failed (never for a bad row: those are in the error report).
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        completed_at (datetime.datetime | None):
    """

    id: str
    status: ImportStatus
    format_: ImportFormat
    mode: ImportMode
    match_on: ImportMatchOn
    list_id: None | str
    rows_total: int
    rows_processed: int
    created: int
    updated: int
    failed: int
    bytes_: int
    error: None | str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        format_ = self.format_.value

        mode = self.mode.value

        match_on = self.match_on.value

        list_id: None | str
        list_id = self.list_id

        rows_total = self.rows_total

        rows_processed = self.rows_processed

        created = self.created

        updated = self.updated

        failed = self.failed

        bytes_ = self.bytes_

        error: None | str
        error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "status": status,
                "format": format_,
                "mode": mode,
                "match_on": match_on,
                "list_id": list_id,
                "rows_total": rows_total,
                "rows_processed": rows_processed,
                "created": created,
                "updated": updated,
                "failed": failed,
                "bytes": bytes_,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "completed_at": completed_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        status = ImportStatus(d.pop("status"))

        format_ = ImportFormat(d.pop("format"))

        mode = ImportMode(d.pop("mode"))

        match_on = ImportMatchOn(d.pop("match_on"))

        def _parse_list_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        list_id = _parse_list_id(d.pop("list_id"))

        rows_total = d.pop("rows_total")

        rows_processed = d.pop("rows_processed")

        created = d.pop("created")

        updated = d.pop("updated")

        failed = d.pop("failed")

        bytes_ = d.pop("bytes")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

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

        import_ = cls(
            id=id,
            status=status,
            format_=format_,
            mode=mode,
            match_on=match_on,
            list_id=list_id,
            rows_total=rows_total,
            rows_processed=rows_processed,
            created=created,
            updated=updated,
            failed=failed,
            bytes_=bytes_,
            error=error,
            created_at=created_at,
            started_at=started_at,
            completed_at=completed_at,
        )

        return import_
