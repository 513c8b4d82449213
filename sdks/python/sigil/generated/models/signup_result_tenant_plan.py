from enum import StrEnum


class SignupResultTenantPlan(StrEnum):
    AGENCY = "agency"
    PRO = "pro"
    STARTER = "starter"

    def __str__(self) -> str:
        return str(self.value)
