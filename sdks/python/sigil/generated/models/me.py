from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.me_mode import MeMode

if TYPE_CHECKING:
    from ..models.me_credential_type_0 import MeCredentialType0
    from ..models.me_credential_type_1 import MeCredentialType1
    from ..models.me_tenant import MeTenant


T = TypeVar("T", bound="Me")


@_attrs_define
class Me:
    """
    Attributes:
        tenant (MeTenant):
        mode (MeMode):
        credential (MeCredentialType0 | MeCredentialType1):
    """

    tenant: MeTenant
    mode: MeMode
    credential: MeCredentialType0 | MeCredentialType1

    def to_dict(self) -> dict[str, Any]:
        from ..models.me_credential_type_0 import MeCredentialType0

        tenant = self.tenant.to_dict()

        mode = self.mode.value

        credential: dict[str, Any]
        if isinstance(self.credential, MeCredentialType0):
            credential = self.credential.to_dict()
        else:
            credential = self.credential.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tenant": tenant,
                "mode": mode,
                "credential": credential,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.me_credential_type_0 import MeCredentialType0
        from ..models.me_credential_type_1 import MeCredentialType1
        from ..models.me_tenant import MeTenant

        d = dict(src_dict)
        tenant = MeTenant.from_dict(d.pop("tenant"))

        mode = MeMode(d.pop("mode"))

        def _parse_credential(data: object) -> MeCredentialType0 | MeCredentialType1:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                credential_type_0 = MeCredentialType0.from_dict(data)

                return credential_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            credential_type_1 = MeCredentialType1.from_dict(data)

            return credential_type_1

        credential = _parse_credential(d.pop("credential"))

        me = cls(
            tenant=tenant,
            mode=mode,
            credential=credential,
        )

        return me
