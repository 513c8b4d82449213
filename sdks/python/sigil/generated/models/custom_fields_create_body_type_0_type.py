from enum import StrEnum


class CustomFieldsCreateBodyType0Type(StrEnum):
    MULTI_SELECT = "multi_select"
    SELECT = "select"

    def __str__(self) -> str:
        return str(self.value)
