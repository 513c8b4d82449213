from enum import StrEnum


class ImportsCreateBodyOptionsMatchOn(StrEnum):
    EMAIL = "email"

    def __str__(self) -> str:
        return str(self.value)
