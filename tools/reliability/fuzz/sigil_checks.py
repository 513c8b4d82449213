"""Schemathesis (4.x) hooks for the Sigil fuzz (tools/reliability/fuzz/run.sh).

`error_envelope_without_internals`: every 4xx/5xx answer of the public API is
the SPEC's error envelope, and no error body carries internals: stack frames,
source paths, SQL or driver errors.
"""
import json
import re

import schemathesis

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
                if key == "pattern" and isinstance(value, str) and "\\p{" in value:
                    node[key] = value.replace("\\p{L}\\p{N}", "\\w").replace("\\p{L}", "^\\W\\d_").replace("\\p{N}", "\\d")
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(raw_schema)
