from enum import StrEnum


class ConsentRecordStatus(StrEnum):
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    PENDING = "pending"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"

    def __str__(self) -> str:
        return str(self.value)
