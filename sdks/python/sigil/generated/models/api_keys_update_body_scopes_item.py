from enum import StrEnum


class ApiKeysUpdateBodyScopesItem(StrEnum):
    AUDITREAD = "audit:read"
    CONTACTSREAD = "contacts:read"
    CONTACTSWRITE = "contacts:write"
    KEYSREAD = "keys:read"
    KEYSWRITE = "keys:write"
    LISTSREAD = "lists:read"
    LISTSWRITE = "lists:write"
    MEMBERSREAD = "members:read"
    MEMBERSWRITE = "members:write"
    SEGMENTSREAD = "segments:read"
    SEGMENTSWRITE = "segments:write"
    USAGEREAD = "usage:read"
    VALUE_14 = "*"
    WEBHOOKSREAD = "webhooks:read"
    WEBHOOKSWRITE = "webhooks:write"

    def __str__(self) -> str:
        return str(self.value)
