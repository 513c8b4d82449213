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
"""
import json
import sys

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


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
    with_id = [label for label in operations if "{" in label]
    called = [label for label in operations if label in report]
    reached = [label for label in operations if any(200 <= int(s) < 300 for s in report.get(label, {}))]
    unreached = [label for label in with_id if label not in reached]
    print(
        f"fuzz: stateful phase: {len(called)} of {len(operations)} operations called, {len(reached)} answered 2xx;"
        f" {len(with_id) - len(unreached)} of {len(with_id)} operations that take an id reached (a 2xx with an id from a link)"
    )
    for label in unreached:
        statuses = ", ".join(f"{s} × {n}" for s, n in sorted(report.get(label, {}).items())) or "never called"
        print(f"fuzz:   not reached: {label} ({statuses})")
    if strict and unreached:
        print(f"fuzz: {len(unreached)} operation(s) that take an id not reached by the stateful phase", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
