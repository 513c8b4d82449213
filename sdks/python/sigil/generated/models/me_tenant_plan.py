from enum import StrEnum


class MeTenantPlan(StrEnum):
    AGENCY = "agency"
    PRO = "pro"
    STARTER = "starter"

    def __str__(self) -> str:
        return str(self.value)
