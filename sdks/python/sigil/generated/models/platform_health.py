from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.platform_health_status import PlatformHealthStatus

if TYPE_CHECKING:
    from ..models.platform_health_services import PlatformHealthServices


T = TypeVar("T", bound="PlatformHealth")


@_attrs_define
class PlatformHealth:
    """
    Attributes:
        status (PlatformHealthStatus):
        services (PlatformHealthServices): `gateway` and each service.
    """

    status: PlatformHealthStatus
    services: PlatformHealthServices

    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        services = self.services.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
                "services": services,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.platform_health_services import PlatformHealthServices

        d = dict(src_dict)
        status = PlatformHealthStatus(d.pop("status"))

        services = PlatformHealthServices.from_dict(d.pop("services"))

        platform_health = cls(
            status=status,
            services=services,
        )

        return platform_health
