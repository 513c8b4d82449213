from enum import StrEnum


class ImportMatchOn(StrEnum):
    EMAIL = "email"
    EXTERNAL_ID = "external_id"

    def __str__(self) -> str:
        return str(self.value)
