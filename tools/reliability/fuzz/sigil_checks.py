"""Schemathesis (4.x) hooks for the Sigil fuzz (tools/reliability/fuzz/run.sh).

`error_envelope_without_internals`: every 4xx/5xx answer of the public API is
the SPEC's error envelope, and no error body carries internals: stack frames,
source paths, SQL or driver errors.

`after_call` records, per operation, the statuses the stateful phase got
(written to $FUZZ_STATEFUL_REPORT as JSON), so that run.sh can tell which
operations the stateful phase really reached (stateful_reach.py); a second
pass of the same run (run.sh --long) adds to what the first recorded.
`before_call` has a stateful retry of a webhook delivery wait until the
delivery has settled, as a client retries a delivery it saw fail.

`map_case` makes generated valid requests keep the rules the document states
as extensions, `filter_failure` drops the failures the document announces,
and `filter_case` keeps the fuzz from revoking its own key (see each).
"""
import atexit
import json
import os
import re
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from collections.abc import MutableMapping

import jsonschema_rs
import schemathesis
import threading

import ast

# CPython 3.11 (before 3.11.9) can fail `ast.parse` with "SystemError: AST
# constructor recursion depth mismatch" when two threads parse at once
# (gh-106905); Hypothesis parses source to describe the lambdas of filtered
# strategies, and `--workers 2` runs two generators. One parse at a time.
_AST_LOCK = threading.Lock()
_ast_parse = ast.parse


def _parse_one_at_a_time(*args, **kwargs):
    with _AST_LOCK:
        return _ast_parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

INTERNALS = [
    re.compile(r"\bat [\w.<>$]+ \("),
    re.compile(r"\bat (async )?/?[\w./-]+:\d+:\d+"),
    re.compile(r"/work/|/home/|node_modules|\bdist/|\.(ts|js):\d+"),
    re.compile(r"QueryFailedError|syntax error at or near|relation \"|violates .* constraint|duplicate key value|invalid byte sequence", re.I),
    re.compile(r"TypeError|ReferenceError|RangeError|KafkaJS|ECONNREFUSED"),
]


def _sent(case) -> str:
    """Everything the client sent, so that an echo of it in a validation message is not taken for a leak."""
    parts = [str(case.path_parameters or ""), str(case.query or ""), str(case.headers or "")]
    try:
        parts.append(json.dumps(case.body))
    except (TypeError, ValueError):
        parts.append(str(case.body))
    return " ".join(parts)


_STATEFUL_LOCK = threading.Lock()
_STATEFUL: dict[str, Counter] = {}
# Why the stateful phase's 4xx were refused, per operation: "400 positive validation_failed options.mapping.x: …" → count.
_STATEFUL_ERRORS: dict[str, Counter] = {}
# Distinct reasons kept per operation (messages can quote generated values); the rest count as "(other)".
_MAX_REASONS = 12
_STATEFUL_REPORT = os.environ.get("FUZZ_STATEFUL_REPORT")


def beside_report(report_path, suffix):
    """A file beside the stateful report (`<report>.json`): `<report><suffix>` (stateful_reach.py reads them)."""
    return f"{report_path[:-5] if report_path.endswith('.json') else report_path}{suffix}"


def errors_report_path(report_path):
    """Where the stateful phase's refusal reasons go, beside its statuses (stateful_reach.py reads both)."""
    return beside_report(report_path, "-errors.json")


def _dump(data, path):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.replace(tmp, path)


def _write_stateful_report():
    if not _STATEFUL_REPORT:
        return
    with _STATEFUL_LOCK:
        data = {label: {str(status): n for status, n in counts.items()} for label, counts in _STATEFUL.items()}
        errors = {label: dict(reasons) for label, reasons in _STATEFUL_ERRORS.items()}
    _dump(data, _STATEFUL_REPORT)
    _dump(errors, errors_report_path(_STATEFUL_REPORT))


def _refusal(case, response):
    """One line saying why a 4xx was answered: status, the case's generation mode, the envelope's code and first detail."""
    mode = str(getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", "?"))
    try:
        error = json.loads(response.text).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    details = error.get("details")
    first = details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    what = f"{first.get('field', '')}: {first.get('message', '')}" if first else str(error.get("message", ""))
    return f"{response.status_code} {mode} {error.get('code', '?')} {what}"[:200]


def _load_stateful_report():
    """What an earlier pass of the same run recorded (run.sh --long runs the stateful phase a second time, in
    another process, against the same stack): its counts are added to, so the reach report covers both passes."""
    if not _STATEFUL_REPORT:
        return
    for path, into in ((_STATEFUL_REPORT, _STATEFUL), (errors_report_path(_STATEFUL_REPORT), _STATEFUL_ERRORS)):
        try:
            with open(path, encoding="utf-8") as f:
                earlier = json.load(f)
        except (FileNotFoundError, ValueError):
            continue
        for label, counts in earlier.items():
            into.setdefault(label, Counter()).update({(int(k) if into is _STATEFUL else k): n for k, n in counts.items()})


_load_stateful_report()
atexit.register(_write_stateful_report)


# Why the stateful phase ends. schemathesis runs it as "suites" of Hypothesis state machine scenarios
# (engine/run/stateful/_executor.py): a suite ends when Hypothesis ends its run (as many valid scenarios as
# `phases.stateful.generation.max-examples`, too many invalid ones, an exhausted search tree) or raises
# (a replay that drew differently, "Flaky"), and schemathesis classifies that silently: with no failure
# and no `--max-time` budget, the phase is over. Sessions 7 to 11 saw it end after 27 to 337 of the 1 000
# scenarios allowed, reason unknown. So the hooks record, for every suite, how Hypothesis's run ended (its
# exit reason and counts of valid, invalid and overrun scenarios), the exception it raised if any, and the
# commonest reasons a scenario was thrown away (Hypothesis' `mark_invalid`): one JSON line per suite in
# `<report>-suites.jsonl`, which stateful_reach.py prints.
_STATEFUL_THREAD = "schemathesis_stateful_tests"
_SUITE_LOCAL = threading.local()


def suites_report_path(report_path):
    """Where each stateful suite's end is recorded (one JSON line per suite), beside the statuses."""
    return beside_report(report_path, "-suites.jsonl")


def _in_stateful_thread():
    return threading.current_thread().name == _STATEFUL_THREAD


def _suite():
    """The record of the suite running in this (the stateful) thread, or None."""
    return getattr(_SUITE_LOCAL, "suite", None) if _in_stateful_thread() else None


def _instrument_stateful_suites():
    try:
        from hypothesis.internal.conjecture import data as conjecture_data
        from hypothesis.internal.conjecture import engine as conjecture_engine
        from schemathesis.generation.stateful.state_machine import APIStateMachine
    except ImportError:  # another schemathesis/Hypothesis layout: the run goes on without the record
        return
    runner = conjecture_engine.ConjectureRunner
    threshold = (getattr(conjecture_engine, "INVALID_THRESHOLD_BASE", None), getattr(conjecture_engine, "INVALID_PER_VALID", None))
    init, exit_with, mark_invalid, mark_overrun = runner.__init__, runner.exit_with, conjecture_data.ConjectureData.mark_invalid, conjecture_data.ConjectureData.mark_overrun
    run = APIStateMachine.__dict__["run"].__func__

    def counts(suite, runner_):
        valid = runner_.valid_test_cases
        suite.update(
            valid=valid,
            invalid=runner_.invalid_test_cases,
            overrun=runner_.overrun_test_cases,
            calls=runner_.call_count,
            max_examples=runner_.settings.max_examples,
            invalid_limit=(threshold[0] + threshold[1] * valid) if None not in threshold else None,
        )

    def recorded_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        suite = _suite()
        if suite is not None and "_runner" not in suite:
            suite["_runner"] = self

    def recorded_exit_with(self, reason):
        suite = _suite()
        if suite is not None and not self.ignore_limits and "exit" not in suite:
            suite["exit"] = getattr(reason, "name", str(reason))
            counts(suite, self)
        return exit_with(self, reason)

    def recorded_mark_invalid(self, why=None, **kwargs):
        suite = _suite()
        if suite is not None:
            suite["invalid_reasons"][(why or "reject() without a reason")[:160]] += 1
        return mark_invalid(self, why, **kwargs)

    def recorded_mark_overrun(self):
        suite = _suite()
        if suite is not None:
            suite["invalid_reasons"]["overrun (the scenario drew more than Hypothesis' buffer)"] += 1
        return mark_overrun(self)

    def recorded_run(cls, *, settings=None):
        if not _in_stateful_thread():
            return run(cls, settings=settings)
        _SUITE_LOCAL.suite = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "invalid_reasons": Counter()}
        started = time.monotonic()
        try:
            return run(cls, settings=settings)
        except BaseException as exc:
            _SUITE_LOCAL.suite["raised"] = f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:400]}"
            raise
        finally:
            suite, _SUITE_LOCAL.suite = _SUITE_LOCAL.suite, None
            runner_ = suite.pop("_runner", None)
            if "exit" not in suite and runner_ is not None:
                counts(suite, runner_)  # ended by what it raised: the counts up to then
            suite["seconds"] = round(time.monotonic() - started, 1)
            suite["invalid_reasons"] = dict(suite["invalid_reasons"].most_common(8))
            if _STATEFUL_REPORT:
                with _STATEFUL_LOCK, open(suites_report_path(_STATEFUL_REPORT), "a", encoding="utf-8") as out:
                    out.write(json.dumps(suite) + "\n")

    runner.__init__ = recorded_init
    runner.exit_with = recorded_exit_with
    conjecture_data.ConjectureData.mark_invalid = recorded_mark_invalid
    conjecture_data.ConjectureData.mark_overrun = recorded_mark_overrun
    APIStateMachine.run = classmethod(recorded_run)


_instrument_stateful_suites()


def _stateful(case) -> bool:
    """Whether the case belongs to the stateful phase (a step of a scenario that follows links)."""
    phase = getattr(getattr(getattr(case, "meta", None), "phase", None), "name", None)
    return str(getattr(phase, "value", phase)) == "stateful"


def server_errors_path(report_path):
    """Where every 5xx of the run goes (any phase), with the machine's load when it was answered."""
    return beside_report(report_path, "-5xx.jsonl")


def _record_server_error(case, response):
    """A 5xx stays a failure (schemathesis' not_a_server_error); this only records beside it what the
    machine was doing: the 1-minute load average when it was answered, and the answer's error code. A 504
    `upstream_timeout` is the gateway's RPC deadline (5 s): on this 2-CPU machine, shared with other test
    runs, a starved service misses it whatever the route (session 10's retry 504 came while the webhooks
    process had stalled for ~30 s: its BullMQ locks expired and its Kafka consumer lost its group), so the
    report says what load each one came under, for the reader to judge and re-run on a quiet machine."""
    if not _STATEFUL_REPORT:
        return
    try:
        code = (json.loads(response.text).get("error") or {}).get("code")
    except (ValueError, AttributeError):
        code = None
    phase = getattr(getattr(getattr(case, "meta", None), "phase", None), "name", None)
    line = {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "operation": case.operation.label,
        "phase": str(getattr(phase, "value", phase)),
        "status": response.status_code,
        "code": code,
        "elapsed_s": round(response.elapsed, 3) if isinstance(getattr(response, "elapsed", None), (int, float)) else None,
        "load_1m": round(os.getloadavg()[0], 2),
    }
    with _STATEFUL_LOCK, open(server_errors_path(_STATEFUL_REPORT), "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


@schemathesis.hook
def after_call(context, case, response):
    """Counts the stateful phase's answers per operation (`GET /v1/contacts/{id}` → {"200": 12, "404": 3}),
    and why its 4xx were refused (status, generation mode, error code and first detail); records every 5xx
    of any phase with the machine's load (_record_server_error); notes a stateful key create refused at the
    plan's key limit, so that the next one frees the slots first (before_call)."""
    if response.status_code >= 500:
        _record_server_error(case, response)
    if not _stateful(case):
        return
    if response.status_code == 403 and (case.operation.method.upper(), case.operation.path) == _KEY_CREATE and "plan_limit_exceeded" in response.text:
        with _STATEFUL_LOCK:
            _KEY_SLOTS["maybe_full"] = True
    with _STATEFUL_LOCK:
        counts = _STATEFUL.setdefault(case.operation.label, Counter())
        first = counts[response.status_code] == 0
        counts[response.status_code] += 1
        if 400 <= response.status_code < 500:
            reasons = _STATEFUL_ERRORS.setdefault(case.operation.label, Counter())
            reason = _refusal(case, response)
            if reason not in reasons and len(reasons) >= _MAX_REASONS:
                reason = f"{response.status_code} (other)"
            first = first or reasons[reason] == 0
            reasons[reason] += 1
    # A new (operation, status) pair is written at once: the file stays right if the time box kills the run.
    if first:
        _write_stateful_report()


# How long a stateful retry of a webhook delivery waits for the delivery to settle (FUZZ_RETRY_SETTLE_SECONDS).
RETRY_SETTLE_SECONDS = float(os.environ.get("FUZZ_RETRY_SETTLE_SECONDS", "10"))
_RETRY = ("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/retry")


def _api_get(path, method="GET"):
    """`GET path` (or another bodiless `method`) with the fuzz's key, as a client would; the parsed body, or None."""
    base, key = os.environ.get("FUZZ_BASE_URL"), os.environ.get("FUZZ_API_KEY")
    if not base or not key:
        return None
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {key}"}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return json.load(answer)
    except (OSError, ValueError):
        return None


_KEY_CREATE = ("POST", "/v1/api-keys")
# Whether the tenant's active keys may be at its plan's limit: checked before the first stateful key create of
# a pass, and again after a stateful create was refused `plan_limit_exceeded` (after_call).
_KEY_SLOTS = {"maybe_full": True}


def _free_key_slots():
    """Revoke every active key of the tenant but the fuzz's own (all pages of `GET /v1/api-keys`), as a
    client at its plan's key limit revokes the keys it no longer uses. The earlier phases create keys until
    the plan's 50 are active (each further create a 403 `plan_limit_exceeded`, their stated answer), and
    nothing revokes them: in session 11's long run the stateful phase's creates were refused (4 × 403), so
    the link from a created key to its revocation had nothing to carry and `DELETE /v1/api-keys/{id}` was
    never reached (the list's first item is the fuzz's own key, which filter_case keeps it from revoking)."""
    own = _own_key_id()
    if own is None:
        return
    stale, cursor = [], None
    for _ in range(100):
        page = _api_get("/v1/api-keys?limit=100" + (f"&cursor={urllib.parse.quote(cursor, safe='')}" if cursor else "")) or {}
        stale += [k["id"] for k in page.get("data") or [] if isinstance(k, dict) and k.get("status") == "active" and k.get("id") != own]
        cursor = (page.get("meta") or {}).get("next_cursor")
        if not cursor:
            break
    for key_id in stale:
        _api_get(f"/v1/api-keys/{urllib.parse.quote(key_id, safe='')}", method="DELETE")


@schemathesis.hook
def before_call(context, case, **kwargs):
    """In the stateful phase:

    - a key create, when the tenant's keys may be at its plan's limit (the pass's first create, or the first
      after a create was refused `plan_limit_exceeded`), first revokes the other active keys (_free_key_slots);
    - a retry of a webhook delivery waits (up to RETRY_SETTLE_SECONDS) until the delivery is no longer
      `pending`, as a client retries a delivery it saw fail: only a settled delivery can be retried (a pending
      one is a 409 "still being attempted", docs/webhooks.md), and the link from a test delivery leads to its
      retry within milliseconds, while its one attempt (stack-launcher.ts --single-attempt-webhooks) is still
      under way. In session 9's runs that 409 was the only answer the retry ever got. The wait reads the
      delivery as the client would (`GET …/deliveries/{delivery_id}`); an id that names no delivery is sent at
      once, and so is a delivery whose next attempt is already scheduled past the wait (its endpoint's own
      `retry_schedule`: it stays pending, and the 409 is the answer); once a retry has answered 2xx in the
      run, none waits (a wait costs the phase its time; a later 409 is no finding)."""
    if not _stateful(case):
        return
    operation = (case.operation.method.upper(), case.operation.path)
    if operation == _KEY_CREATE:
        with _STATEFUL_LOCK:
            full, _KEY_SLOTS["maybe_full"] = _KEY_SLOTS["maybe_full"], False
        if full:
            _free_key_slots()
        return
    if operation != _RETRY:
        return
    with _STATEFUL_LOCK:
        reached = any(200 <= int(status) < 300 for status in _STATEFUL.get(case.operation.label, {}))
    if reached:
        return
    params = case.path_parameters or {}
    webhook, delivery = params.get("id"), params.get("delivery_id")
    if not isinstance(webhook, str) or not isinstance(delivery, str):
        return
    endpoint = f"/v1/webhooks/{urllib.parse.quote(webhook, safe='')}"
    path = f"{endpoint}/deliveries/{urllib.parse.quote(delivery, safe='')}"
    started = time.monotonic()
    deadline = started + RETRY_SETTLE_SECONDS
    while True:
        data = (_api_get(path) or {}).get("data") or {}
        if data.get("status") != "pending":
            break
        if time.monotonic() >= deadline:
            _record_retry_wait("waited out", data, endpoint, started)
            return
        next_attempt = _instant(data.get("next_attempt_at"))
        if next_attempt is not None and next_attempt.timestamp() > time.time() + (deadline - time.monotonic()):
            _record_retry_wait("scheduled past the wait", data, endpoint, started)
            return
        time.sleep(0.25)
    if data:
        _record_retry_wait("settled", data, endpoint, started)


# Beside the stateful report: one line per retry the phase waited for, how the wait ended (settled, waited out,
# scheduled past the wait), the delivery as read last and its endpoint's delivery policy, so that a retry never
# reached says why (stateful_reach.py prints a tally).
_ENDPOINT_POLICY = ("enabled", "disabled_reason", "rate_limit_per_second", "max_in_flight", "timeout_ms", "retry_schedule", "ordering")


def retry_waits_path(report_path):
    return beside_report(report_path, "-retry-waits.jsonl")


def _record_retry_wait(ending, delivery, endpoint_path, started):
    if not _STATEFUL_REPORT:
        return
    endpoint = (_api_get(endpoint_path) or {}).get("data") or {} if ending != "settled" else {}
    line = {
        "ending": ending,
        "waited_s": round(time.monotonic() - started, 2),
        "delivery": {k: delivery.get(k) for k in ("id", "status", "attempt_count", "last_status_code", "last_error", "next_attempt_at", "event_type", "created_at")},
        "endpoint": {k: endpoint.get(k) for k in _ENDPOINT_POLICY if k in endpoint},
    }
    with _STATEFUL_LOCK, open(retry_waits_path(_STATEFUL_REPORT), "a", encoding="utf-8") as out:
        out.write(json.dumps(line, default=str) + "\n")


@schemathesis.check
def error_envelope_without_internals(ctx, response, case):
    if response.status_code < 400:
        return None
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        raise AssertionError(f"error {response.status_code} is not JSON: {text[:200]!r}")
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not {"status", "code", "type", "message", "request_id"} <= error.keys():
        raise AssertionError(f"error {response.status_code} is not the error envelope: {text[:200]!r}")
    if error["status"] != response.status_code:
        raise AssertionError(f"envelope status {error['status']} differs from HTTP {response.status_code}")
    sent = _sent(case)
    for pattern in INTERNALS:
        m = pattern.search(text)
        if m and m.group(0) not in sent:
            raise AssertionError(f"error body leaks internals ({m.group(0)!r}): {text[:300]!r}")
    return None


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """The document's patterns come from zod and use ECMAScript Unicode classes
    (`\\p{L}`, `\\p{N}`) that Python's `re` lacks; rewrite them to the nearest
    Python class so those operations are fuzzed instead of erroring out."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str) and ("\\p{" in value or "\\P{" in value):
                    node[key] = (
                        value.replace("\\p{L}\\p{N}", "\\w")
                        .replace("\\p{L}", "^\\W\\d_")
                        .replace("\\p{N}", "\\d")
                        # Cc, the control characters: U+0000–U+001F and U+007F–U+009F; inside a class
                        # (`[^\\s\\p{Cc}]`, a non-blank external id's one solid character) and as a class.
                        .replace("\\p{Cc}", "\\x00-\\x1f\\x7f-\\x9f")
                        .replace("\\P{Cc}", "[^\\x00-\\x1f\\x7f-\\x9f]")
                    )
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(raw_schema)


def _instant(value):
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except (AttributeError, TypeError, ValueError):
        return None


def _at(body, path):
    """The value at a dotted path of a body (`options.mapping`), or None."""
    for name in path.split("."):
        body = body.get(name) if isinstance(body, MutableMapping) else None
    return body


# How much earlier than a "relative to now" bound a generated instant must be to count as valid.
_CLOCK_MARGIN = timedelta(minutes=10)

# What JavaScript's String.prototype.trim removes (WhiteSpace and LineTerminator).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _js_trim(text):
    return text.strip(_JS_SPACE)


def _csv_cell(text):
    return '"' + text.replace('"', '""') + '"'


def _keep_relation(body, relation, required=(), path=None, rows=1):
    """Make a generated valid body (or query) satisfy one `x-relations` rule of
    the document: for `after`, the optional one of the two goes; for the
    distinct kinds, the later of two clashing keys goes; a CSV file part gets
    a header naming the mapped columns (and `rows` rows); a field that must equal
    a path parameter goes unless it does; an instant bounded by the server's
    clock (`not-later-than-now-plus`) goes, or becomes now if required, unless
    it is well within the bound (`query-or-body` needs an issued token, which
    no generator has: see filter_failure)."""
    field = relation.get("field")
    kind = relation.get("kind")
    if kind == "equals-path":
        if body.get(field) is not None and body.get(field) != (path or {}).get(relation.get("parameter")):
            body.pop(field)
    elif kind == "not-in":
        items = body.get(relation.get("list"))
        if isinstance(items, list) and body.get(field) in items:
            body[field] = f"x{uuid.uuid4().hex}"
    elif kind == "after" and field in body:
        later, earlier = _instant(body.get(field)), _instant(body.get(relation.get("than")))
        try:
            kept = later is not None and earlier is not None and later > earlier
        except TypeError:  # one with an offset, one without
            kept = False
        if not kept:
            than = relation.get("than")
            body.pop(than if than in body and than not in required else field)
    elif kind in ("distinct-values", "distinct-keys-ignoring-case") and isinstance(body.get(field), MutableMapping):
        seen = set()
        for key, value in list(body[field].items()):
            mark = key.lower() if kind == "distinct-keys-ignoring-case" else json.dumps(value, sort_keys=True)
            if mark in seen:
                del body[field][key]
            seen.add(mark)
    elif kind == "not-later-than-now-plus" and field in body:
        # The server compares with its clock when the request arrives; a margin covers the time until it does.
        when = _instant(body.get(field))
        bound = datetime.now(timezone.utc) + timedelta(seconds=float(relation.get("seconds") or 0)) - _CLOCK_MARGIN
        try:
            kept = when is not None and (when if when.tzinfo else when.replace(tzinfo=timezone.utc)) <= bound
        except (OverflowError, TypeError):
            kept = False
        if not kept:
            if field in required:
                body[field] = datetime.now(timezone.utc).isoformat()
            else:
                body.pop(field)
    elif kind == "csv-header-names" and field in body:
        columns = _at(body, relation.get("keys_of"))
        if _at(body, relation.get("format_of")) == "csv" and isinstance(columns, MutableMapping):
            # Header cells are compared trimmed: two keys equal once trimmed cannot both be named.
            seen = set()
            # The required targets win a clash (a column must stay mapped to email, and to external_id when matched on).
            for key in sorted(columns, key=lambda k: columns[k] not in ("email", "external_id")):
                if _js_trim(key) in seen:
                    del columns[key]
                seen.add(_js_trim(key))
            header = ",".join(_csv_cell(c) for c in columns)
            body[field] = (header + "\r\n" + (",".join('""' for _ in columns) + "\r\n") * _rows_within(rows, columns)).encode()
        elif _at(body, relation.get("format_of")) == "ndjson":
            body[field] = ((json.dumps({c: "" for c in columns or {}}) + "\n") * _rows_within(rows, columns)).encode()


# Rows of a stateful phase's import file. An import can be cancelled only while
# it is queued or running, and one row is done in milliseconds, before the
# scenario's next step: a few thousand (blank, so each is a row error: no
# contact, no event) keep it running, and the imports after it queued, long
# enough for `POST /v1/imports/{id}/cancel` to find it so.
STATEFUL_IMPORT_ROWS = int(os.environ.get("FUZZ_STATEFUL_IMPORT_ROWS", "3000"))


def _rows_within(rows, columns, limit=1 << 20):
    """`rows`, or fewer so that the file stays under `limit` bytes (a row of many mapped columns is long)."""
    return max(1, min(rows, limit // (3 * max(1, len(columns or {})) + 2)))


def _defined_by_patterns(schema):
    """Patterns of the `x-defined-by` branches of a value schema: values that
    name something the tenant defines first (`custom_fields.<key>`)."""
    branches = [schema] + list((schema or {}).get("anyOf") or []) if isinstance(schema, dict) else []
    return [re.compile(b["pattern"]) for b in branches if isinstance(b, dict) and b.get("x-defined-by") and b.get("pattern")]


# A value each custom field type takes (a select's or multi_select's first option).
_VALUE_OF_TYPE = {"text": "fuzz", "number": 1, "boolean": True, "date": "2024-01-01"}


def _links_from_first_item(raw):
    """Whether an operation's links read its answer's first item (`$response.body#/data/0/...`): a list's."""
    for response in (raw.get("responses") or {}).values():
        for link in ((response or {}).get("links") or {}).values() if isinstance(response, dict) else []:
            if "#/data/0/" in json.dumps(link):
                return True
    return False


# Writes of a webhook endpoint whose valid stateful bodies go without `retry_schedule`. An endpoint's own
# schedule overrides the stack's single attempt (delivery-attempt.service.ts `judge`), so a test delivery to
# an endpoint with a generated schedule (`["5h"]`) fails its first attempt and stays `pending` until the
# next one, a 409 "still being attempted" to its retry (session 11's long run: the three stateful retries
# of a real delivery were all that 409, after the 10-s settle wait; the retry was never reached). Without
# it the endpoint keeps the service's schedule, a failed test delivery settles at once, and the link from
# it to its retry can succeed, as a client testing its retry path would set its endpoint up. The other
# phases still generate schedules.
_ENDPOINT_WRITES = {("POST", "/v1/webhooks"), ("PATCH", "/v1/webhooks/{id}")}


def _unique_email(body, schema, raw):
    """In the stateful phase, a valid write's `email` (an address the operation
    stores: its schema has the address pattern, under the tenant's credential)
    is made unique, as a real client's would be. Generated addresses repeat
    (short ones, and values schemathesis reuses from earlier answers), and
    an address the tenant already has is a 409 by design: in session 8's long
    run 23 of 33 stateful contact creates were 409s, so the operations on a
    contact (its upsert by `external_id`, its tags) were never reached.
    Signup and the other public operations keep their addresses (a new
    tenant each time, and an argon2 hash, is not what a scenario needs)."""
    if raw.get("security") == [] or not isinstance(body.get("email"), str):
        return
    prop = (schema.get("properties") or {}).get("email")
    if not isinstance(prop, dict) or "@" not in str(prop.get("pattern", "")):
        return
    prefix = f"u{uuid.uuid4().hex[:16]}"
    email = body["email"]
    _, at, domain = email.rpartition("@")
    # A prefix of letters and digits keeps the address valid (it may not start with a dot, or hold two in a row).
    limit = prop.get("maxLength") or 254
    if len(prefix) + len(email) <= limit:
        body["email"] = prefix + email
    elif at and len(prefix) + 1 + len(domain) <= limit:
        body["email"] = f"{prefix}@{domain}"
    else:
        body["email"] = f"{prefix}@example.com"


def _unique_external_id(body, schema, raw):
    """In the stateful phase, a create's `external_id` (an integration's own id, unique per tenant) is made
    unique too: generated ones repeat (`00AA`, `%C2%A3`), each repeat a 409 by design (5 of 8 stateful contact
    creates of session 9's second long run). Not where the body's `external_id` must be the path's (the upsert)."""
    value = body.get("external_id")
    if raw.get("security") == [] or not isinstance(value, str) or "external_id" not in (schema.get("properties") or {}):
        return
    if any(r.get("field") == "external_id" and r.get("kind") == "equals-path" for r in schema.get("x-relations") or []):
        return
    prefix = f"u{uuid.uuid4().hex[:16]}-"
    body["external_id"] = (prefix + value)[:255]


def _definitions():
    """The tenant's custom field definitions, read from the API as a client
    would (`GET /v1/custom-fields`, every page), with the fuzz's own key."""
    base, key = os.environ.get("FUZZ_BASE_URL"), os.environ.get("FUZZ_API_KEY")
    if not base or not key:
        return []
    found, cursor = [], None
    try:
        for _ in range(100):
            query = "limit=100" + (f"&cursor={cursor}" if cursor else "")
            request = urllib.request.Request(f"{base}/v1/custom-fields?{query}", headers={"Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(request, timeout=15) as answer:
                page = json.load(answer)
            found += page.get("data") or []
            cursor = (page.get("meta") or {}).get("next_cursor")
            if not cursor:
                break
    except (OSError, ValueError):
        # Unreadable now: the create goes without the values, and its 422 is the stated one (filter_failure).
        pass
    return found


def _required_values():
    """A valid value for every custom field the tenant made required."""
    values = {}
    for field in _definitions():
        if not field.get("required"):
            continue
        options = field.get("options") or []
        kind = field.get("type")
        if kind == "select" and options:
            values[field["key"]] = options[0]
        elif kind == "multi_select" and options:
            values[field["key"]] = [options[0]]
        elif kind in _VALUE_OF_TYPE:
            values[field["key"]] = _VALUE_OF_TYPE[kind]
    return values


def _definition_errors(case, status=None):
    """The `x-definition-errors` the document states on the case's operation (errors that depend on what the tenant defined)."""
    errors = case.operation.definition.raw.get("x-definition-errors") or []
    return [e for e in errors if isinstance(e, dict) and (status is None or e.get("status") == status)]


def _keep_object(body, schema, path=None, rows=1):
    """A generated valid JSON object keeps what its schema states as extensions:
    `x-defined-by` properties (and map values) left out, `x-relations` kept
    (`path`: the request's path parameters; `rows`: an import file's rows)."""
    if not isinstance(body, MutableMapping) or not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        if prop.get("x-defined-by"):
            body.pop(name, None)
            continue
        value = body.get(name)
        patterns = _defined_by_patterns(prop.get("additionalProperties"))
        if patterns and isinstance(value, MutableMapping):
            for key, item in list(value.items()):
                if isinstance(item, str) and any(p.search(item) for p in patterns):
                    del value[key]
        if prop.get("type") == "object" or prop.get("properties"):
            _keep_object(value, prop, path, rows)
    for relation in schema.get("x-relations") or []:
        _keep_relation(body, relation, schema.get("required") or [], path, rows)


@schemathesis.hook
def map_case(context, case):
    """Rules of a query that OpenAPI parameters cannot carry, kept by the
    generated *valid* requests (negative ones are left as generated):

    - `x-opaque` parameters (`cursor`): only a value the API returned is
      valid, and no generator can invent one, so a valid request goes without
      it (the stateful phase and the e2e tests page with real cursors);
    - `x-mutually-exclusive` groups of the operation (`page`/`cursor`,
      `list_id`/`segment_id`): a valid request sends at most one of each;
    - `x-defined-by` body fields (`custom_fields`) and map values
      (`custom_fields.<key>` import targets): they must be defined by the
      tenant first (`/v1/custom-fields`), which a generator cannot know, so a
      valid request leaves them out;
    - `x-relations` of a body or of a part of a form (`primary_id` not among
      `duplicate_ids`; `until` after `since`; distinct import targets and
      header names; a CSV import file whose header names the mapped
      columns, and in the stateful phase a few thousand rows, so that the
      import is still running when a scenario cancels it): a valid request
      keeps them;
    - `x-part-order` of a multipart body: exactly its parts go out, in that order;
    - `Idempotency-Key`: a key already used with another request is refused
      (422, by design); a generator draws the same few keys for different
      bodies, so a valid request's key gets a unique, still valid, suffix;
    - `x-definition-errors` `custom_field_required` of a create (POST, PUT):
      the tenant's required custom fields must have a value, so a valid
      create carries one for each, read from `/v1/custom-fields` as a client
      would (without it, once the run has defined a required field, no
      contact could be created and the stateful phase would reach none of
      the operations on a contact);
    - in the stateful phase, a write's stored `email` is unique (see
      _unique_email), and so is a create's `external_id`, so that a
      scenario's creates make new contacts; a webhook endpoint's write
      leaves its `retry_schedule` out (see _ENDPOINT_WRITES); and a
      list whose links carry its first item's id is read from its first page
      without filters (only `limit` kept), so that the link has an id to carry.
    """
    meta = getattr(case, "meta", None)
    if meta is None or str(meta.generation.mode) != "positive":
        return case
    raw = case.operation.definition.raw
    query = dict(case.query) if isinstance(case.query, MutableMapping) else {}
    for parameter in raw.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("x-opaque"):
            query.pop(parameter["name"], None)
    for group in raw.get("x-mutually-exclusive", []):
        present = [name for name in group if name in query]
        for name in present[1:]:
            query.pop(name)
    required = [p["name"] for p in raw.get("parameters", []) if p.get("in") == "query" and p.get("required")]
    if _stateful(case) and _links_from_first_item(raw):
        # A list whose links carry its first item's id: in a scenario it is read as a client about to act on
        # an item reads it, the first page without filters (a generated `page=55083` or `q` finds nothing,
        # and the link then has no id to carry).
        for name in [n for n in query if n != "limit" and n not in required]:
            query.pop(name)
    for relation in raw.get("x-relations", []):
        _keep_relation(query, relation, required)
    if isinstance(case.query, MutableMapping):
        case.query = query
    if isinstance(case.body, MutableMapping):
        content = (raw.get("requestBody") or {}).get("content") or {}
        media = content.get("application/json") or content.get("multipart/form-data") or {}
        _keep_object(case.body, media.get("schema") or {}, case.path_parameters, STATEFUL_IMPORT_ROWS if _stateful(case) else 1)
        creates = case.operation.method.lower() in ("post", "put")
        if _stateful(case) and case.operation.method.lower() in ("post", "put", "patch"):
            _unique_email(case.body, media.get("schema") or {}, raw)
            _unique_external_id(case.body, media.get("schema") or {}, raw)
            if (case.operation.method.upper(), case.operation.path) in _ENDPOINT_WRITES:
                case.body.pop("retry_schedule", None)
        if creates and any(e.get("code") == "custom_field_required" for e in _definition_errors(case)):
            required = _required_values()
            if required:
                case.body["custom_fields"] = required
        # Parts go out in the body's order: the document's `x-part-order` (an import's options before its
        # file), and only those: the document says "exactly these parts" (JSON Schema's
        # `additionalProperties: false` beside a binary part crashes schemathesis' coverage phase, so the
        # generators add parts; each such upload was a 400, in the stateful phase 13 of 15 imports).
        order = (media.get("schema") or {}).get("x-part-order") or []
        if order:
            # In place, like every change here: assigning case.body would have schemathesis revalidate the case.
            parts = [kv for kv in case.body.items() if kv[0] in order]
            case.body.clear()
            case.body.update(sorted(parts, key=lambda kv: order.index(kv[0])))
    headers = case.headers if isinstance(case.headers, MutableMapping) else None
    key = next((name for name in (headers or {}) if name.lower() == "idempotency-key"), None)
    if key is not None and isinstance(headers[key], str):
        headers[key] = f"{headers[key][:200]}-{uuid.uuid4().hex}"
    return case


_OWN_KEY_LOCK = threading.Lock()
_OWN_KEY: list = []


def _own_key_id():
    """The id of the key the fuzz runs with (`GET /v1/me`'s `credential.id`), read once."""
    with _OWN_KEY_LOCK:
        if not _OWN_KEY:
            me = _api_get("/v1/me")
            try:
                _OWN_KEY.append(me["data"]["credential"]["id"])
            except (TypeError, KeyError):
                return None  # unreadable now: asked again on the next such case
        return _OWN_KEY[0]


# What a request may do to an API key that would take the fuzz's own key from it.
_KEY_CHANGES = {("DELETE", "/v1/api-keys/{id}"), ("PATCH", "/v1/api-keys/{id}"), ("POST", "/v1/api-keys/{id}/rotate")}


@schemathesis.hook
def filter_case(context, case):
    """The fuzz does not revoke, rotate or change the key it runs with. The
    stateful phase follows links from `GET /v1/api-keys` to these operations
    with the listed keys' ids, its own among them; once it revoked it (or
    rotated it, or narrowed its scopes), every later request of the run was a
    401, and a stateful-only run of 1 837 scenarios reached almost nothing
    after that. Any other key (one the run created, an invented id) is fair game."""
    operation = (case.operation.method.upper(), case.operation.path)
    if operation not in _KEY_CHANGES:
        return True
    return (case.path_parameters or {}).get("id") != _own_key_id()


def _opaque_body_fields(case):
    """Inputs marked `x-opaque` that a valid request cannot do without: only a
    value the API issued (an invitation or subscription token) is valid, which
    no generator can draw. A required body field, or a query parameter that an
    `x-relations` `query-or-body` rule requires in one of the two places."""
    raw = case.operation.definition.raw
    content = (raw.get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema") or {}
    required = set(schema.get("required") or [])
    fields = [n for n, p in (schema.get("properties") or {}).items() if n in required and isinstance(p, dict) and p.get("x-opaque")]
    opaque_query = {p.get("name") for p in raw.get("parameters", []) if p.get("in") == "query" and p.get("x-opaque")}
    fields += [r["field"] for r in raw.get("x-relations", []) if r.get("kind") == "query-or-body" and r.get("field") in opaque_query]
    return fields


def _removes_items(case, label):
    """Whether the DELETE `label` takes a body: it removes the items the body names
    (`DELETE /v1/lists/{id}/members {contact_ids}`, a contact's tags) from the
    collection at its path, which stays, so a later GET of that path is a 200."""
    method, _, path = str(label).partition(" ")
    raw = getattr(case.operation.schema, "raw_schema", None) or {}
    operation = (((raw.get("paths") or {}).get(path) or {}).get(method.lower())) or {}
    return method.upper() == "DELETE" and bool(operation.get("requestBody"))


def _binary_part_read_as_invalid(case):
    """Whether a multipart case schemathesis counts as negative is valid as sent.
    When a link merges a value into a multipart body (an import's `list_id`
    from `GET /v1/lists`), schemathesis re-validates the body and reads the file
    part's bytes as an invalid JSON value, so the case turns "negative" and the
    upload's 202 a "schema-violating request accepted" (ST201). Judged here as
    on the wire: each binary part as a string, the other parameters positive."""
    meta = getattr(case, "meta", None)
    content = (case.operation.definition.raw.get("requestBody") or {}).get("content") or {}
    schema = (content.get("multipart/form-data") or {}).get("schema")
    if meta is None or not schema or not isinstance(case.body, MutableMapping):
        return False
    if not any(isinstance(v, (bytes, bytearray)) for v in case.body.values()):
        return False
    others = [info for location, info in (getattr(meta, "components", None) or {}).items() if getattr(location, "name", str(location)).upper() != "BODY"]
    if any(not info.mode.is_positive for info in others):
        return False
    body = {k: (bytes(v).decode("utf-8", "replace") if isinstance(v, (bytes, bytearray)) else v) for k, v in case.body.items()}
    try:
        return jsonschema_rs.validator_for(schema).is_valid(body)
    except (ValueError, jsonschema_rs.ValidationError):
        return False


def _soft_delete(case, label):
    """Whether the document marks the operation `label` (`DELETE /v1/api-keys/{id}`) `x-soft-delete`."""
    method, _, path = str(label).partition(" ")
    raw = getattr(case.operation.schema, "raw_schema", None) or {}
    return bool((((raw.get("paths") or {}).get(path) or {}).get(method.lower()) or {}).get("x-soft-delete"))


def _parts_beyond_order(case):
    """Parts of a multipart body that its schema's `x-part-order` (the parts, in order) does not name."""
    content = (case.operation.definition.raw.get("requestBody") or {}).get("content") or {}
    order = ((content.get("multipart/form-data") or {}).get("schema") or {}).get("x-part-order")
    if not order or not isinstance(case.body, MutableMapping):
        return []
    return [name for name in case.body if name not in order]


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """What the document itself states, not a finding:
    - a "schema-valid request rejected" (ST202) of an operation that a valid
      request cannot reach without an `x-opaque` value (a required body field,
      or a token the query or the body must carry): the value must come from
      the API;
    - a "schema-valid request rejected" (ST202) of a multipart body with a
      part its `x-part-order` does not name (the document says "exactly these
      parts"); map_case leaves such parts out of the valid requests it sees,
      so this is only a safety net for a case built without it;
    - a "deleted resource still available" (ST301) after a DELETE the
      document marks `x-soft-delete` (revoking an API key keeps it readable),
      or after a DELETE that takes a body: it removes the items the body names
      from the collection at its path (a list's members), not the path;
    - a "schema-violating request accepted" (ST201) of a multipart body that
      is valid as sent (see _binary_part_read_as_invalid: schemathesis
      re-validated it after a link merged a value, or map_case changed it, and read its file's bytes as
      invalid);
    - a "schema-valid request rejected" (ST202) answered with an error the
      operation states in `x-definition-errors` (status and code): the
      request is valid against the document but not against what the tenant
      defined, e.g. a 422 `custom_field_required` when another worker made a
      field required after this request's values were filled in. Any other
      code with the same status is still a finding."""
    code = getattr(failure, "code", None)
    if code == "ST202" and response is not None and _definition_errors(case, response.status_code):
        try:
            answered = (json.loads(response.text).get("error") or {}).get("code")
        except (ValueError, AttributeError):
            answered = None
        if answered in {e.get("code") for e in _definition_errors(case, response.status_code)}:
            return False
    if code == "ST202" and _opaque_body_fields(case):
        return False
    if code == "ST202" and _parts_beyond_order(case):
        return False
    if code == "ST301" and _soft_delete(case, getattr(failure, "operation", "")):
        return False
    if code == "ST301" and _removes_items(case, getattr(failure, "operation", "")):
        return False
    if code == "ST201" and _binary_part_read_as_invalid(case):
        return False
    return True
