"""The hand-written facade of the Python SDK over the generated layer
(``sigil.generated``, from openapi-python-client): ``Sigil(api_key=…,
base_url=…)``, one namespace per resource, methods named after the
operations that return the envelope's ``data`` as the generated models
(``Contact``, ``Webhook``, … in ``sigil.models``; ``to_dict()`` gives the
JSON), auto-paginating ``list()`` iterators and typed errors."""

from __future__ import annotations

import datetime
import enum
import importlib
import io
import json
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from dateutil.parser import isoparse

from ._transport import RetryingTransport
from .errors import error_for
from .generated import models as m
from .generated.client import AuthenticatedClient


def _candidates(hint: Any) -> list[Any]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [c for arg in typing.get_args(hint) for c in _candidates(arg)]
    return [hint]


def _convert(hint: Any, value: Any) -> Any:
    """A plain Python value (dict, str, list) → what the generated function's annotation asks for."""
    for target in _candidates(hint):
        origin = typing.get_origin(target) or target
        if isinstance(origin, type) and not issubclass(origin, enum.Enum) and origin is not datetime.datetime and isinstance(value, origin):
            if origin is list and typing.get_args(target):
                return [_convert(typing.get_args(target)[0], item) for item in value]
            return value
    for target in _candidates(hint):
        if isinstance(target, type) and issubclass(target, enum.Enum):
            return target(value)
        if target is datetime.datetime:
            return value if isinstance(value, datetime.datetime) else isoparse(str(value))
        if isinstance(value, dict) and hasattr(target, "from_dict"):
            return target.from_dict(value)
    return value


class _Core:
    def __init__(self, client: AuthenticatedClient) -> None:
        self.client = client

    def send(self, operation: str, *, body: Any = None, idempotency_key: str | None = None, **params: Any) -> httpx.Response | Any:
        """Calls ``sigil.generated.api.<operation>.sync_detailed`` and returns the raw answer; raises the typed error."""
        module = importlib.import_module(f"{__package__}.generated.api.{operation}")
        function = module.sync_detailed
        hints = typing.get_type_hints(function)
        kwargs: dict[str, Any] = {}
        for name, value in params.items():
            if value is None:
                continue
            if name not in hints:
                raise TypeError(f"{operation.split('.')[-1]}() got an unexpected argument {name!r}")
            kwargs[name] = _convert(hints[name], value)
        if body is not None:
            kwargs["body"] = _convert(hints["body"], body)
        if idempotency_key is not None:
            kwargs["idempotency_key"] = idempotency_key
        response = function(client=self.client, **kwargs)
        if response.status_code >= 400:
            raise error_for(int(response.status_code), response.content, response.headers)
        return response

    def envelope(self, operation: str, **kwargs: Any) -> Any:
        """The answer's JSON, its ``data`` parsed into the operation's model (a list of them for a list)."""
        response = self.send(operation, **kwargs)
        if not response.content:
            return None
        envelope = json.loads(response.content)
        parsed = response.parsed
        if isinstance(envelope, dict) and parsed is not None and hasattr(parsed, "data"):
            envelope["data"] = parsed.data
        return envelope

    def data(self, operation: str, **kwargs: Any) -> Any:
        envelope = self.envelope(operation, **kwargs)
        return envelope.get("data") if isinstance(envelope, dict) else None

    def text(self, operation: str, **kwargs: Any) -> str:
        return self.send(operation, **kwargs).content.decode("utf-8")

    def paginate(self, operation: str, **kwargs: Any) -> Paginator:
        return Paginator(lambda query: self.envelope(operation, **query), {k: v for k, v in kwargs.items() if v is not None})


class Paginator:
    """Iterates every item of a list operation, fetching pages as needed
    (the cursor when the server gives one, else the next page number)."""

    def __init__(self, fetch_page: Callable[[dict[str, Any]], dict[str, Any]], query: dict[str, Any]) -> None:
        self._fetch_page = fetch_page
        self._query = query

    def pages(self) -> Iterator[dict[str, Any]]:
        """Page after page: ``{"data": [models], "meta": {...}, "links": {...}}``."""
        query = dict(self._query)
        while True:
            page = self._fetch_page(query)
            yield page
            meta = page.get("meta") or {}
            if meta.get("next_cursor"):
                query = {k: v for k, v in query.items() if k != "page"}
                query["cursor"] = meta["next_cursor"]
            elif meta.get("has_more") and page.get("data") and "cursor" not in query:
                query = {**query, "page": int(meta.get("page") or query.get("page") or 1) + 1}
            else:
                return

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.get("data") or []

    def to_list(self, limit: int | None = None) -> list[Any]:
        out: list[Any] = []
        for item in self:
            if limit is not None and len(out) >= limit:
                break
            out.append(item)
        return out


class _Resource:
    def __init__(self, core: _Core) -> None:
        self._core = core


class Contacts(_Resource):
    def create(self, body: dict[str, Any], *, idempotency_key: str | None = None) -> m.Contact:
        return self._core.data("contacts.contacts_create", body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> m.Contact:
        return self._core.data("contacts.contacts_get", id=id)

    def update(self, id: str, body: dict[str, Any]) -> m.Contact:
        return self._core.data("contacts.contacts_update", id=id, body=body)

    def delete(self, id: str) -> None:
        self._core.send("contacts.contacts_delete", id=id)

    def list(self, **query: Any) -> Paginator:
        """Filters: ``tag``, ``list_id``, ``segment_id``, ``updated_since``, ``q``, ``sort``; ``limit`` per page."""
        return self._core.paginate("contacts.contacts_list", **query)

    def upsert_by_external_id(self, external_id: str, body: dict[str, Any]) -> m.Contact:
        """Creates or updates (PATCH semantics) the contact with this ``external_id``; the body is a create's (email required)."""
        return self._core.data("contacts.contacts_upsert_by_external_id", external_id=external_id, body=body)

    def batch(self, contacts: list[dict[str, Any]], *, idempotency_key: str | None = None) -> m.BatchUpsertResult:
        return self._core.data("contacts.contacts_batch", body={"contacts": contacts}, idempotency_key=idempotency_key)

    def add_tags(self, id: str, tags: list[str]) -> m.Contact:
        return self._core.data("contacts.contacts_add_tags", id=id, body={"tags": tags})

    def remove_tags(self, id: str, tags: list[str]) -> m.Contact:
        return self._core.data("contacts.contacts_remove_tags", id=id, body={"tags": tags})

    def record_activity(self, id: str, body: dict[str, Any]) -> m.Activity:
        return self._core.data("contacts.contacts_record_activity", id=id, body=body)

    def list_activities(self, id: str, **query: Any) -> Paginator:
        return self._core.paginate("contacts.contacts_list_activities", id=id, **query)

    def segments(self, id: str) -> list[m.ContactSegment]:
        """The segments the contact is in now: ``[{segment_id, name, since}]``."""
        return self._core.data("segments.contact_segments_list", id=id)


class CustomFields(_Resource):
    def create(self, body: dict[str, Any]) -> m.CustomField:
        return self._core.data("custom_fields.custom_fields_create", body=body)

    def get(self, key: str) -> m.CustomField:
        return self._core.data("custom_fields.custom_fields_get", key=key)

    def update(self, key: str, body: dict[str, Any]) -> m.CustomField:
        return self._core.data("custom_fields.custom_fields_update", key=key, body=body)

    def delete(self, key: str) -> None:
        self._core.send("custom_fields.custom_fields_delete", key=key)

    def list(self, **query: Any) -> Paginator:
        return self._core.paginate("custom_fields.custom_fields_list", **query)

    def aggregate(self, key: str, **query: Any) -> m.CustomFieldAggregate:
        return self._core.data("custom_fields.custom_fields_aggregate", key=key, **query)


class Lists(_Resource):
    def create(self, body: dict[str, Any]) -> m.List:
        return self._core.data("lists.lists_create", body=body)

    def get(self, id: str) -> m.List:
        return self._core.data("lists.lists_get", id=id)

    def update(self, id: str, body: dict[str, Any]) -> m.List:
        return self._core.data("lists.lists_update", id=id, body=body)

    def delete(self, id: str) -> None:
        self._core.send("lists.lists_delete", id=id)

    def list(self, **query: Any) -> Paginator:
        return self._core.paginate("lists.lists_list", **query)

    def add_members(self, id: str, contact_ids: list[str]) -> m.ListMembersChange:
        return self._core.data("lists.lists_add_members", id=id, body={"contact_ids": contact_ids})

    def remove_members(self, id: str, contact_ids: list[str]) -> m.ListMembersChange:
        return self._core.data("lists.lists_remove_members", id=id, body={"contact_ids": contact_ids})

    def members(self, id: str, **query: Any) -> Paginator:
        return self._core.paginate("lists.lists_members", id=id, **query)

    def export(self, id: str, format: str | None = None) -> str:
        """The list's members as CSV (default) or NDJSON text."""
        return self._core.text("lists.lists_export", id=id, format=format)


class Imports(_Resource):
    def create(self, options: dict[str, Any], file: bytes | str | typing.IO[bytes], filename: str = "contacts.csv") -> m.Import:
        """Starts an import job from a CSV (with a header row) or NDJSON file of at most 200 MB;
        ``options["mapping"]`` says which column fills which contact field. Answers at once with
        the queued job; poll ``get(id)``. ``file`` may be an open binary file (it is streamed)."""
        from .generated.models.imports_create_body import ImportsCreateBody
        from .generated.models.imports_create_body_options import (
            ImportsCreateBodyOptions,
        )
        from .generated.types import File

        payload = io.BytesIO(file.encode() if isinstance(file, str) else file) if isinstance(file, (bytes, bytearray, str)) else file
        body = ImportsCreateBody(options=ImportsCreateBodyOptions.from_dict(options), file=File(payload=payload, file_name=filename))
        return self._core.data("imports.imports_create", body=body)

    def get(self, id: str) -> m.Import:
        return self._core.data("imports.imports_get", id=id)

    def cancel(self, id: str) -> m.Import:
        return self._core.data("imports.imports_cancel", id=id)

    def errors(self, id: str) -> str:
        """The failed rows as CSV text: ``row,code,reason,data``."""
        return self._core.text("imports.imports_errors", id=id)


class Segments(_Resource):
    def create(self, body: dict[str, Any]) -> m.Segment:
        return self._core.data("segments.segments_create", body=body)

    def get(self, id: str) -> m.Segment:
        return self._core.data("segments.segments_get", id=id)

    def update(self, id: str, body: dict[str, Any]) -> m.Segment:
        return self._core.data("segments.segments_update", id=id, body=body)

    def delete(self, id: str) -> None:
        self._core.send("segments.segments_delete", id=id)

    def list(self, **query: Any) -> Paginator:
        return self._core.paginate("segments.segments_list", **query)

    def preview(self, body: dict[str, Any]) -> m.SegmentPreview:
        return self._core.data("segments.segments_preview", body=body)

    def contacts(self, id: str, **query: Any) -> Paginator:
        return self._core.paginate("segments.segments_contacts", id=id, **query)

    def count(self, id: str) -> m.SegmentCount:
        return self._core.data("segments.segments_count", id=id)

    def history(self, id: str, **query: Any) -> list[m.SegmentHistoryPoint]:
        """Entries, exits and member count per UTC ``interval`` (hour or day) between ``from`` and ``to``."""
        return self._core.data("segments.segments_history", id=id, **query)

    def export(self, id: str, format: str | None = None) -> str:
        """The segment's members when the export began, as CSV (default) or NDJSON text."""
        return self._core.text("segments.segments_export", id=id, format=format)


class Webhooks(_Resource):
    def create(self, body: dict[str, Any]) -> m.WebhookWithSecret:
        """The answer carries the signing ``secret``, shown this once."""
        return self._core.data("webhooks.webhooks_create", body=body)

    def get(self, id: str) -> m.Webhook:
        return self._core.data("webhooks.webhooks_get", id=id)

    def update(self, id: str, body: dict[str, Any]) -> m.Webhook:
        return self._core.data("webhooks.webhooks_update", id=id, body=body)

    def delete(self, id: str) -> None:
        self._core.send("webhooks.webhooks_delete", id=id)

    def list(self, **query: Any) -> Paginator:
        return self._core.paginate("webhooks.webhooks_list", **query)

    def rotate_secret(self, id: str) -> m.WebhookWithSecret:
        """A new signing secret (in the answer, this once); the previous one keeps signing for 24 h."""
        return self._core.data("webhooks.webhooks_rotate_secret", id=id)

    def send_test(self, id: str) -> m.Delivery:
        return self._core.data("webhooks.webhooks_send_test", id=id)

    def deliveries(self, id: str, **query: Any) -> Paginator:
        return self._core.paginate("webhooks.webhooks_list_deliveries", id=id, **query)

    def get_delivery(self, id: str, delivery_id: str) -> m.DeliveryDetail:
        return self._core.data("webhooks.webhooks_get_delivery", id=id, delivery_id=delivery_id)

    def retry_delivery(self, id: str, delivery_id: str) -> m.Delivery:
        return self._core.data("webhooks.webhooks_retry_delivery", id=id, delivery_id=delivery_id)

    def recover(self, id: str, since: str | datetime.datetime, until: str | datetime.datetime | None = None) -> m.Recovery:
        """Re-sends, in the background, every failed or skipped delivery in ``[since, until)``; answers with the recovery."""
        body = {"since": since if isinstance(since, str) else since.isoformat()}
        if until is not None:
            body["until"] = until if isinstance(until, str) else until.isoformat()
        return self._core.data("webhooks.webhooks_recover", id=id, body=body)

    def event_types(self) -> list[m.EventType]:
        """The event types an endpoint can subscribe to: description, JSON Schema of ``data``, example."""
        return self._core.data("webhooks.event_types_list")

    def get_recovery(self, id: str, recovery_id: str) -> m.Recovery:
        """A recovery's progress (``status``, ``total``, ``recovered``)."""
        return self._core.data("webhooks.webhooks_get_recovery", id=id, recovery_id=recovery_id)


class ApiKeys(_Resource):
    def create(self, body: dict[str, Any]) -> m.ApiKeyWithSecret:
        """The answer carries the secret ``key``, shown this once."""
        return self._core.data("api_keys.api_keys_create", body=body)

    def get(self, id: str) -> m.ApiKey:
        return self._core.data("api_keys.api_keys_get", id=id)

    def update(self, id: str, body: dict[str, Any]) -> m.ApiKey:
        return self._core.data("api_keys.api_keys_update", id=id, body=body)

    def revoke(self, id: str) -> None:
        """Revokes the key (it answers 401 ``revoked_api_key`` from then on)."""
        self._core.send("api_keys.api_keys_revoke", id=id)

    delete = revoke

    def list(self, **query: Any) -> Paginator:
        return self._core.paginate("api_keys.api_keys_list", **query)

    def rotate(self, id: str, grace_period_seconds: int | None = None) -> m.ApiKeyWithSecret:
        """A new secret; the old one keeps working for ``grace_period_seconds``."""
        body = {} if grace_period_seconds is None else {"grace_period_seconds": grace_period_seconds}
        return self._core.data("api_keys.api_keys_rotate", id=id, body=body)


class Usage(_Resource):
    def get(self, **query: Any) -> list[m.UsageDay] | list[m.UsageSeriesRow]:
        """Filters: ``from``/``to`` (pass ``from_`` in Python), ``key_id``; ``interval`` (``hour``/``day``) and
        ``group_by`` (``outcome``/``route``) for the analytics series."""
        return self._core.data("account.usage_usage", **query)


class AuditLog(_Resource):
    def list(self, **query: Any) -> Paginator:
        """Changes and sign-ins, newest first (scope ``audit:read``). Filters: ``actor_id``, ``action``,
        ``resource_id``, ``since``, ``until``."""
        return self._core.paginate("account.audit_log_list", **query)


class Settings(_Resource):
    def get(self) -> m.TenantSettings:
        """``leaked_key_policy`` (``revoke`` or ``notify``) for keys GitHub secret scanning finds in public."""
        return self._core.data("account.settings_get")

    def update(self, body: dict[str, Any]) -> m.TenantSettings:
        """Needs scope ``*`` (owners, admins, full-access keys) and a live-mode key."""
        return self._core.data("account.settings_update", body=body)


class Sigil:
    """``Sigil(api_key="sg_live_…", base_url="https://api.example.com")``."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        *,
        max_retries: int = 3,
        max_retry_delay: float = 60.0,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("Sigil: api_key is required.")
        if not base_url:
            raise ValueError("Sigil: base_url is required (e.g. https://api.example.com).")
        #: The generated client (``sigil.generated``), for anything the facade does not wrap.
        self.raw = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=api_key,
            timeout=httpx.Timeout(timeout),
            httpx_args={"transport": RetryingTransport(transport, max_retries=max_retries, max_retry_delay=max_retry_delay)},
        )
        core = _Core(self.raw)
        self._core = core
        self.contacts = Contacts(core)
        self.custom_fields = CustomFields(core)
        self.lists = Lists(core)
        self.imports = Imports(core)
        self.segments = Segments(core)
        self.webhooks = Webhooks(core)
        self.api_keys = ApiKeys(core)
        self.usage = Usage(core)
        self.audit_log = AuditLog(core)
        self.settings = Settings(core)

    def me(self) -> m.Me:
        """The caller: tenant, user or key, mode and scopes."""
        return self._core.data("account.me_me")

    def close(self) -> None:
        self.raw.get_httpx_client().close()

    def __enter__(self) -> typing.Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
