from enum import StrEnum


class CustomFieldsUpdateBodyType0Type(StrEnum):
    MULTI_SELECT = "multi_select"
    SELECT = "select"

    def __str__(self) -> str:
        return str(self.value)
