#!/usr/bin/env bash
# Dependency direction check (STYLE.md rule 1, ARCHITECTURE.md §1): arrows point inward.
#
#   - Domain crates (bole-core, bole-org, bole-people and, when they exist, bole-access, bole-time,
#     bole-workflow, bole-payroll, bole-archive, bole-talent, ...) must not reach sqlx, axum, hyper,
#     reqwest or tokio (or their sub-crates: sqlx-core, axum-core, tokio-util, ...) through normal
#     dependency edges, directly or transitively. Dev-dependencies are fine (tokio for async tests).
#   - Domain crates must not depend on the outer crates (bole-store, bole-http, bole-app, bole,
#     bole-testkit, bole-api-types), and follow the domain DAG: core <- org <- people <- time <- payroll.
#   - bole-api-types must not depend on a domain crate other than bole-core, nor on the outer crates or
#     sqlx.
#
# Reads `cargo metadata` (the resolved graph, so features that pull a crate in are accounted for) and
# prints one line per violation with the path that causes it. Crates that do not exist yet are skipped.
# Exit status: 0 clean, 1 violations, 2 the check itself could not run.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v python3 >/dev/null 2>&1 || {
  echo "check-deps: python3 is required" >&2
  exit 2
}

meta=$(mktemp)
trap 'rm -f "$meta"' EXIT
# --offline first (fast, no network); fall back to a normal resolve if something is not cached yet.
if ! cargo metadata --format-version 1 --offline >"$meta" 2>/dev/null; then
  cargo metadata --format-version 1 >"$meta" || {
    echo "check-deps: cargo metadata failed" >&2
    exit 2
  }
fi

exec python3 - "$meta" <<'PY'
import json
import sys
from collections import deque

# Families of crates that do IO or serve HTTP: the name itself and its `name-*` sub-crates.
FORBIDDEN_IO = ["sqlx", "axum", "hyper", "reqwest", "tokio"]

# Domain crates, innermost first. Later ones (ARCHITECTURE.md §1 "later: ...") are checked once they exist.
DOMAIN = [
    "bole-core", "bole-org", "bole-people", "bole-access", "bole-time", "bole-workflow", "bole-payroll",
    "bole-archive", "bole-talent", "bole-learning", "bole-recruit", "bole-analytics", "bole-assistant",
    "bole-privacy", "bole-crypto", "bole-audit",
]
# Outer rings: adapters, wire types, composition root, binary, test kit.
OUTER = ["bole-store", "bole-http", "bole-app", "bole", "bole-testkit", "bole-api-types"]
# The domain DAG org <- people <- time <- payroll: a crate must not depend on one further out.
FURTHER_OUT = {
    "bole-core": [d for d in DOMAIN if d != "bole-core"],
    "bole-org": ["bole-people", "bole-time", "bole-payroll"],
    "bole-people": ["bole-time", "bole-payroll"],
    "bole-time": ["bole-payroll"],
    # Workflow sits beside the chain: documents (time, payroll) depend on it, never the reverse.
    "bole-workflow": ["bole-people", "bole-time", "bole-payroll"],
}
API_TYPES = "bole-api-types"


def is_io(name):
    return any(name == f or name.startswith(f + "-") for f in FORBIDDEN_IO)


with open(sys.argv[1], encoding="utf-8") as f:
    meta = json.load(f)

pkgs = {p["id"]: p for p in meta["packages"]}
name_of = {pid: p["name"] for pid, p in pkgs.items()}
members = {name_of[pid]: pid for pid in meta["workspace_members"]}
nodes = {n["id"]: n for n in (meta.get("resolve") or {}).get("nodes", [])}
if not nodes:
    print("check-deps: cargo metadata has no resolved graph", file=sys.stderr)
    sys.exit(2)


def normal_deps(pid):
    """Ids reached from pid through normal (not dev, not build) edges."""
    for dep in nodes[pid].get("deps", []):
        if any(k.get("kind") is None for k in dep.get("dep_kinds", [])):
            yield dep["pkg"]


def reach(root):
    """Every package reachable from root through normal edges, with the parent on one shortest path."""
    parent = {root: None}
    queue = deque([root])
    while queue:
        pid = queue.popleft()
        for dep in normal_deps(pid):
            if dep not in parent:
                parent[dep] = pid
                queue.append(dep)
    return parent


def path(parent, pid):
    chain = []
    while pid is not None:
        chain.append(name_of[pid])
        pid = parent[pid]
    return " -> ".join(reversed(chain))


violations = []
checked = []


def check(crate, forbidden, why):
    root = members[crate]
    parent = reach(root)
    for pid in parent:
        if pid == root or not forbidden(name_of[pid]):
            continue
        # Report only the first forbidden crate on a path (sqlx, not also the tokio that sqlx brings).
        up = parent[pid]
        while up not in (None, root) and not forbidden(name_of[up]):
            up = parent[up]
        if up in (None, root):
            violations.append(f"{crate}: must not depend on {name_of[pid]} ({why}): {path(parent, pid)}")


for crate in DOMAIN:
    if crate not in members:
        continue
    checked.append(crate)
    check(crate, is_io, "domain crates do no IO; dev-dependencies are fine")
    check(crate, lambda n: n in OUTER, "domain crates never depend on outer crates")
    further = FURTHER_OUT.get(crate, [])
    check(crate, lambda n, f=further: n in f, "domain DAG is core <- org <- people <- time <- payroll")

if API_TYPES in members:
    checked.append(API_TYPES)
    check(
        API_TYPES,
        lambda n: (n in DOMAIN and n != "bole-core") or (n in OUTER and n != API_TYPES)
        or n == "sqlx" or n.startswith("sqlx-"),
        "wire types depend on serde/utoipa/bole-core only",
    )

# A violation reached through another checked crate is reported for that crate too; keep each line once.
for line in dict.fromkeys(violations):
    print(f"check-deps: {line}")
if violations:
    print(f"check-deps: {len(violations)} violation(s) in {len(checked)} crate(s) checked", file=sys.stderr)
    sys.exit(1)
print(f"check-deps: ok ({', '.join(checked)})")
PY
