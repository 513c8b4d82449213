from enum import StrEnum


class AuthSignupBodyPlan(StrEnum):
    AGENCY = "agency"
    PRO = "pro"
    STARTER = "starter"

    def __str__(self) -> str:
        return str(self.value)
