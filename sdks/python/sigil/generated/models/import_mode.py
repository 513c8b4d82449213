from enum import StrEnum


class ImportMode(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"

    def __str__(self) -> str:
        return str(self.value)
