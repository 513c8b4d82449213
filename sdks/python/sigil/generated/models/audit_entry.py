from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.audit_entry_mode import AuditEntryMode

if TYPE_CHECKING:
    from ..models.audit_entry_actor import AuditEntryActor
    from ..models.audit_entry_changes import AuditEntryChanges
    from ..models.audit_entry_resource import AuditEntryResource


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """
    Attributes:
        id (str):
        action (str):
        actor (AuditEntryActor):
        resource (AuditEntryResource):
        mode (AuditEntryMode):
        ip (None | str):
        user_agent (None | str):
        request_id (None | str):
        changes (AuditEntryChanges): What changed (secrets redacted).
        occurred_at (datetime.datetime):
    """

    id: str
    action: str
    actor: AuditEntryActor
    resource: AuditEntryResource
    mode: AuditEntryMode
    ip: None | str
    user_agent: None | str
    request_id: None | str
    changes: AuditEntryChanges
    occurred_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        action = self.action

        actor = self.actor.to_dict()

        resource = self.resource.to_dict()

        mode = self.mode.value

        ip: None | str
        ip = self.ip

        user_agent: None | str
        user_agent = self.user_agent

        request_id: None | str
        request_id = self.request_id

        changes = self.changes.to_dict()

        occurred_at = self.occurred_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "action": action,
                "actor": actor,
                "resource": resource,
                "mode": mode,
                "ip": ip,
                "user_agent": user_agent,
                "request_id": request_id,
                "changes": changes,
                "occurred_at": occurred_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_entry_actor import AuditEntryActor
        from ..models.audit_entry_changes import AuditEntryChanges
        from ..models.audit_entry_resource import AuditEntryResource

        d = dict(src_dict)
        id = d.pop("id")

        action = d.pop("action")

        actor = AuditEntryActor.from_dict(d.pop("actor"))

        resource = AuditEntryResource.from_dict(d.pop("resource"))

        mode = AuditEntryMode(d.pop("mode"))

        def _parse_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip = _parse_ip(d.pop("ip"))

        def _parse_user_agent(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_agent = _parse_user_agent(d.pop("user_agent"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        changes = AuditEntryChanges.from_dict(d.pop("changes"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        audit_entry = cls(
            id=id,
            action=action,
            actor=actor,
            resource=resource,
            mode=mode,
            ip=ip,
            user_agent=user_agent,
            request_id=request_id,
            changes=changes,
            occurred_at=occurred_at,
        )

        return audit_entry
