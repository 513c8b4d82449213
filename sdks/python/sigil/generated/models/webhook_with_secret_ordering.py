from enum import StrEnum


class WebhookWithSecretOrdering(StrEnum):
    NONE = "none"
    PER_CONTACT = "per_contact"

    def __str__(self) -> str:
        return str(self.value)
