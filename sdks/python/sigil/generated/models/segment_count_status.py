from enum import StrEnum


class SegmentCountStatus(StrEnum):
    BUILDING = "building"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
