"""
Checks deploy/grafana/sigil-dashboard.json against the code: it parses, panel
ids are unique, and every `sigil_*` metric a query uses is defined in
libs/platform/src/metrics/metrics.ts (so a renamed metric cannot leave a
silently empty panel).
"""
import json
import os
import re
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(REPO, "deploy", "grafana", "sigil-dashboard.json")
METRICS = os.path.join(REPO, "libs", "platform", "src", "metrics", "metrics.ts")


def main():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    with open(METRICS) as f:
        defined = set(re.findall(r"name: '(sigil_[a-z_]+)'", f.read()))
    errors = []
    ids = [p["id"] for p in dashboard["panels"]]
    if len(ids) != len(set(ids)):
        errors.append("panel ids are not unique")
    used = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            for name in re.findall(r"\bsigil_[a-z_]+", target["expr"]):
                base = re.sub(r"_(bucket|count|sum)$", "", name)
                used.add(base)
                if base not in defined:
                    errors.append(f"panel '{panel['title']}' uses {name}, which metrics.ts does not define")
    if errors:
        print(f"FAIL {os.path.relpath(DASHBOARD, REPO)}")
        for e in errors:
            print(f"  - {e}")
        sys.exit(1)
    print(f"ok   {os.path.relpath(DASHBOARD, REPO)}: {len(ids)} panels, {len(used)} Sigil metrics, all defined in metrics.ts")


if __name__ == "__main__":
    main()
