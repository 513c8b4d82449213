from enum import StrEnum


class TenantSettingsLeakedKeyPolicy(StrEnum):
    NOTIFY = "notify"
    REVOKE = "revoke"

    def __str__(self) -> str:
        return str(self.value)
