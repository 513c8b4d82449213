from enum import StrEnum


class CustomFieldsCreateBodyType(StrEnum):
    BOOLEAN = "boolean"
    DATE = "date"
    MULTI_SELECT = "multi_select"
    NUMBER = "number"
    SELECT = "select"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
