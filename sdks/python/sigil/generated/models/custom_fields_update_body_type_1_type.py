from enum import StrEnum


class CustomFieldsUpdateBodyType1Type(StrEnum):
    BOOLEAN = "boolean"
    DATE = "date"
    NUMBER = "number"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
