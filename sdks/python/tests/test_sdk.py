"""The Python SDK (`sigil`) against a live stack (sdks/python/tests/run.sh):
create and get (typed models), a list iterated past its first page, a create whose answer is
lost retried with the same Idempotency-Key (one contact, not a 409), typed
errors, a real signed webhook delivery checked with verify_webhook, and a
real 429 waited out per Retry-After (last: it uses the minute the rate-limited
key's first request started, at import)."""

from __future__ import annotations

import datetime
import json
import secrets
import time

import httpx
import pytest

from sigil import (
    ConflictError,
    IdempotencyError,
    NotFoundError,
    RateLimitError,
    Sigil,
    ValidationError,
    WebhookVerificationError,
    verify_webhook,
)
from sigil.errors import error_for
from sigil.models import Contact

RUN = secrets.token_hex(4)


class RecordingTransport(httpx.BaseTransport):
    """Records each attempt (method, path, status, Idempotency-Key, time) and can lose the next POST's answer."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.attempts: list[dict] = []
        self.lose_next_post = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        entry = {"method": request.method, "path": request.url.path, "key": request.headers.get("idempotency-key"), "at": time.time()}
        if self.lose_next_post and request.method == "POST":
            self.lose_next_post = False
            response.read()  # the server answered; the client never sees it
            response.close()
            self.attempts.append({**entry, "status": "lost"})
            raise httpx.ReadError("connection reset by peer", request=request)
        self.attempts.append({**entry, "status": response.status_code})
        return response


@pytest.fixture(scope="module")
def limited(sigil: Sigil, base_url: str) -> dict:
    """A key allowed one request a minute, its first request made now."""
    key = sigil.api_keys.create({"name": f"limited {RUN}", "environment": "live", "scopes": ["contacts:read"], "rate_limit_per_minute": 1})
    first_at = time.time()
    next(Sigil(api_key=key.key, base_url=base_url).contacts.list(limit=1).pages())
    return {"key": key.key, "first_at": first_at}


def test_create_and_get(sigil: Sigil, limited: dict) -> None:
    created = sigil.contacts.create({"email": f"Ada.{RUN}@Example.com", "first_name": "Ada", "tags": ["sdk"]})
    # A `Contact` model, typed from the document's schema (dates parsed).
    assert isinstance(created, Contact) and isinstance(created.created_at, datetime.datetime)
    assert created.email == f"ada.{RUN}@example.com"
    assert created.first_name == "Ada" and created.tags == ["sdk"]
    assert created.subscription_status.value == "subscribed" and created.version == 1
    assert sigil.contacts.get(created.id) == created
    assert created.to_dict()["email"] == created.email


def test_upsert_by_external_id(sigil: Sigil) -> None:
    created = sigil.contacts.upsert_by_external_id(f"crm-{RUN}", {"email": f"ext.{RUN}@example.com", "first_name": "Ext"})
    assert created.external_id == f"crm-{RUN}" and created.version == 1
    updated = sigil.contacts.upsert_by_external_id(f"crm-{RUN}", {"email": f"ext.{RUN}@example.com", "last_name": "Ernal"})
    assert updated.id == created.id and updated.first_name == "Ext" and updated.version == 2


def test_import_upload(sigil: Sigil) -> None:
    csv = f"email,name\nimp.{RUN}@example.com,Imp\nnot-an-email,Bad\n"
    job = sigil.imports.create({"format": "csv", "mapping": {"email": "email", "name": "first_name"}}, csv.encode(), "people.csv")
    assert job.status.value == "queued" and job.rows_total == 2
    done = job
    for _ in range(200):
        if done.status.value in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.1)
        done = sigil.imports.get(job.id)
    assert done.status.value == "completed" and done.created == 1 and done.failed == 1
    assert "not-an-email" in sigil.imports.errors(job.id)


def test_typed_errors(sigil: Sigil) -> None:
    with pytest.raises(NotFoundError) as missing:
        sigil.contacts.get("does-not-exist")
    assert missing.value.status == 404 and missing.value.code == "not_found"
    assert missing.value.request_id.startswith("req_")
    with pytest.raises(ValidationError) as invalid:
        sigil.contacts.create({"email": "not-an-email"})
    assert invalid.value.code == "validation_failed"
    assert any(d["field"] == "email" for d in invalid.value.details)


def test_error_classes_follow_the_code_where_a_status_has_two_meanings() -> None:
    def envelope(code: str) -> str:
        return json.dumps({"error": {"status": 422, "code": code, "type": "invalid_request_error", "message": "m", "request_id": "req_1"}})

    required = error_for(422, envelope("custom_field_required"))
    assert isinstance(required, ValidationError) and required.code == "custom_field_required"
    reuse = error_for(422, envelope("idempotency_key_reuse"))
    assert isinstance(reuse, IdempotencyError) and not isinstance(reuse, ValidationError)


def test_paginates_past_the_first_page(sigil: Sigil) -> None:
    tag = f"page-{RUN}"
    ids = {sigil.contacts.create({"email": f"p{i}.{RUN}@example.com", "tags": [tag]}).id for i in range(5)}
    assert [len(p["data"]) for p in sigil.contacts.list(tag=tag, limit=2).pages()] == [2, 2, 1]
    seen = [c.id for c in sigil.contacts.list(tag=tag, limit=2)]
    assert len(seen) == 5 and set(seen) == ids


def test_a_lost_create_is_retried_with_the_same_idempotency_key(sigil: Sigil, base_url: str, api_key: str) -> None:
    recorder = RecordingTransport()
    client = Sigil(api_key=api_key, base_url=base_url, transport=recorder)
    recorder.lose_next_post = True
    email = f"lost.{RUN}@example.com"
    created = client.contacts.create({"email": email})
    posts = [a for a in recorder.attempts if a["method"] == "POST"]
    assert [a["status"] for a in posts] == ["lost", 201]
    assert posts[0]["key"] and posts[1]["key"] == posts[0]["key"]
    assert [c.id for c in sigil.contacts.list(q=email)] == [created.id]
    # Without the key the same retry is a second create: a 409 on the taken email.
    with pytest.raises(ConflictError):
        sigil.contacts.create({"email": email}, idempotency_key=f"other-{RUN}")


def test_a_real_webhook_delivery_verifies(sigil: Sigil, receiver) -> None:
    path = f"/sdk-py-{RUN}"
    endpoint = sigil.webhooks.create({"url": receiver.url(path), "events": ["contact.created"], "description": "python sdk test"})
    secret = endpoint.secret
    assert secret.startswith("whsec_")
    contact = sigil.contacts.create({"email": f"hook.{RUN}@example.com"})
    delivery = receiver.wait_for(path, lambda d: json.loads(d["body"])["data"]["contact"]["id"] == contact.id)
    event = verify_webhook(delivery["body"], delivery["headers"], secret)
    assert event["type"] == "contact.created" and event["id"].startswith("evt_")
    assert event["data"]["contact"]["id"] == contact.id
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery["body"].replace(contact.id.encode(), b"c_forged"), delivery["headers"], secret)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery["body"], delivery["headers"], "whsec_" + "QW5vdGhlciBzZWNyZXQgb2YgMjQgYnl0ZXM=")
    with pytest.raises(WebhookVerificationError):
        verify_webhook(delivery["body"], {k: v for k, v in delivery["headers"].items() if k.lower() != "webhook-signature"}, secret)


def test_a_429_is_retried_after_retry_after(base_url: str, limited: dict) -> None:
    impatient = Sigil(api_key=limited["key"], base_url=base_url, max_retry_delay=0)
    refused = None
    # The minute of the fixture's request may be over if the tests above were slow: then this one takes the slot.
    for _ in range(2):
        at = time.time()
        try:
            next(impatient.contacts.list(limit=1).pages())
            limited["first_at"] = at
        except RateLimitError as err:
            refused = err
            break
    assert refused is not None
    assert refused.status == 429 and refused.code == "rate_limit_exceeded"
    assert refused.retry_after is not None and refused.request_id.startswith("req_")

    recorder = RecordingTransport()
    patient = Sigil(api_key=limited["key"], base_url=base_url, transport=recorder, max_retry_delay=70)
    page = next(patient.contacts.list(limit=1).pages())
    assert len(page["data"]) == 1
    assert [a["status"] for a in recorder.attempts] == [429, 200]
    # The window frees its slot a minute after the admitted request: the retry came no earlier.
    assert recorder.attempts[1]["at"] - limited["first_at"] >= 59
