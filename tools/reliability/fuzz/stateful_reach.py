"""Which operations the fuzz's stateful phase reached (tools/reliability/fuzz/run.sh).

`python stateful_reach.py <openapi.json> <stateful report> [--strict]`

The report is what sigil_checks.after_call recorded: per operation label
(`GET /v1/contacts/{id}`), the statuses the stateful phase got. An operation
that takes an id (a path parameter) is *reached* when the stateful phase got a
2xx from it: only an id the API issued, carried by an OpenAPI link from the
create operation, gets past the 404 (schemathesis' own "API Links: covered"
counts links followed, whatever the answer). Prints one line per unreached
operation with the statuses it got; with --strict (the --long run) exits 1 if
any operation that takes an id was not reached.

`<report>-retry-waits.jsonl` (sigil_checks.before_call) says how each wait for a
delivery to settle before its retry ended: tallied under the retry when it was
not reached.

`<report>-suites.jsonl` (sigil_checks._instrument_stateful_suites) says how each
of the phase's Hypothesis suites ended: printed first, with the totals of
scenarios run (valid, i.e. not thrown away) and thrown away.

Beside the report, `<report>-errors.json` holds why the phase's 4xx were
refused (status, generation mode, error code, first detail): they are printed
for each unreached operation, and for each operation whose links lead on (a
create, a list) that was refused more often than it answered 2xx — the
usual reason why what follows it was not reached.
"""
import json
import sys
from collections import Counter

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def print_suites(path, shown=4):
    """How the stateful suites ended (Hypothesis' exit reason and counts, or what it raised): the totals, a
    tally of the endings, the first `shown` suites, and the commonest reasons scenarios were thrown away."""
    try:
        with open(path, encoding="utf-8") as f:
            suites = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return
    valid = sum(s.get("valid") or 0 for s in suites)
    thrown = sum((s.get("invalid") or 0) + (s.get("overrun") or 0) for s in suites)
    print(f"fuzz: stateful phase: {len(suites)} suite(s), {valid} scenarios run, {thrown} thrown away before or during their steps")

    def ending(suite):
        raised = suite.get("raised")
        return f"raised {raised.split(':', 1)[0]}" if raised else f"exit {suite.get('exit', '?')}"

    endings = Counter(ending(s) for s in suites)
    print("fuzz:   suites ended by: " + ", ".join(f"{what} × {n}" for what, n in endings.most_common()))
    for n, suite in enumerate(suites[:shown], 1):
        counts = ", ".join(f"{k} {suite[k]}" for k in ("valid", "invalid", "overrun", "calls", "max_examples", "invalid_limit") if k in suite)
        print(f"fuzz:   suite {n} ({suite.get('started', '?')}, {suite.get('seconds', '?')} s): {ending(suite)} ({counts})")
        if suite.get("raised"):
            print(f"fuzz:     {suite['raised'][:300]}")
    reasons = Counter()
    for suite in suites:
        reasons.update(suite.get("invalid_reasons") or {})
    for reason, count in reasons.most_common(4):
        print(f"fuzz:   thrown away {count} × {reason}")


RETRY = "POST /v1/webhooks/{id}/deliveries/{delivery_id}/retry"


def print_retry_waits(path, shown=3):
    """How the waits before a delivery's retry ended (sigil_checks.before_call): a tally of endings, and the
    first few deliveries not settled with their endpoint's policy, the reason the retry was a 409."""
    try:
        with open(path, encoding="utf-8") as f:
            waits = [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        print("fuzz:       no retry waited for a delivery")
        return
    tally = Counter(w.get("ending") for w in waits)
    print("fuzz:       waits before the retry: " + ", ".join(f"{n} × {ending}" for ending, n in tally.most_common()))
    for w in [w for w in waits if w.get("ending") != "settled"][:shown]:
        print(f"fuzz:       {w.get('ending')} after {w.get('waited_s')} s: delivery {json.dumps(w.get('delivery'))}; endpoint {json.dumps(w.get('endpoint'))}")


def main(argv):
    strict = "--strict" in argv
    doc_path, report_path = [a for a in argv if not a.startswith("--")][:2]
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    try:
        with open(report_path, encoding="utf-8") as f:
            report = json.load(f)
    except FileNotFoundError:
        report = {}
    operations = [f"{m.upper()} {path}" for path, ops in doc.get("paths", {}).items() for m in ops if m in METHODS]
    stem = report_path[:-5] if report_path.endswith(".json") else report_path
    errors_path = f"{stem}-errors.json"
    try:
        with open(errors_path, encoding="utf-8") as f:
            errors = json.load(f)
    except FileNotFoundError:
        errors = {}
    print_suites(f"{stem}-suites.jsonl")
    with_links = {
        f"{m.upper()} {path}"
        for path, ops in doc.get("paths", {}).items()
        for m, op in ops.items()
        if m in METHODS and any((r or {}).get("links") for r in (op.get("responses") or {}).values() if isinstance(r, dict))
    }
    with_id = [label for label in operations if "{" in label]
    called = [label for label in operations if label in report]
    reached = [label for label in operations if any(200 <= int(s) < 300 for s in report.get(label, {}))]
    unreached = [label for label in with_id if label not in reached]
    print(
        f"fuzz: stateful phase: {len(called)} of {len(operations)} operations called, {len(reached)} answered 2xx;"
        f" {len(with_id) - len(unreached)} of {len(with_id)} operations that take an id reached (a 2xx with an id from a link)"
    )
    def reasons(label):
        for reason, n in sorted(errors.get(label, {}).items(), key=lambda kv: -kv[1])[:3]:
            print(f"fuzz:       {n} × {reason}")

    for label in unreached:
        statuses = ", ".join(f"{s} × {n}" for s, n in sorted(report.get(label, {}).items())) or "never called"
        print(f"fuzz:   not reached: {label} ({statuses})")
        reasons(label)
        if label == RETRY:
            print_retry_waits(f"{stem}-retry-waits.jsonl")
    for label in sorted(with_links):
        counts = report.get(label, {})
        ok = sum(n for s, n in counts.items() if 200 <= int(s) < 300)
        refused = sum(n for s, n in counts.items() if 400 <= int(s) < 500)
        if label not in unreached and refused > ok:
            print(f"fuzz:   mostly refused, so its links seldom followed: {label} ({ok} × 2xx, {refused} × 4xx)")
            reasons(label)
    if strict and unreached:
        print(f"fuzz: {len(unreached)} operation(s) that take an id not reached by the stateful phase", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
