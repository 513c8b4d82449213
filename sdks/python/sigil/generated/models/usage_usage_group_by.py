from enum import StrEnum


class UsageUsageGroupBy(StrEnum):
    OUTCOME = "outcome"
    ROUTE = "route"

    def __str__(self) -> str:
        return str(self.value)
