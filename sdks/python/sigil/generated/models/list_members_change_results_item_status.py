from enum import StrEnum


class ListMembersChangeResultsItemStatus(StrEnum):
    ADDED = "added"
    ALREADY_MEMBER = "already_member"
    NOT_FOUND = "not_found"
    NOT_MEMBER = "not_member"
    REMOVED = "removed"

    def __str__(self) -> str:
        return str(self.value)
