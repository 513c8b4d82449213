from enum import StrEnum


class SettingsUpdateBodyLeakedKeyPolicy(StrEnum):
    NOTIFY = "notify"
    REVOKE = "revoke"

    def __str__(self) -> str:
        return str(self.value)
