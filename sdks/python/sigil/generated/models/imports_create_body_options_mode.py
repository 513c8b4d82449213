from enum import StrEnum


class ImportsCreateBodyOptionsMode(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UPSERT = "upsert"

    def __str__(self) -> str:
        return str(self.value)
