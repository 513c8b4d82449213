from enum import StrEnum


class MeCredentialType0Environment(StrEnum):
    LIVE = "live"
    TEST = "test"

    def __str__(self) -> str:
        return str(self.value)
