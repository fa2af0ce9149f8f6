#!/usr/bin/env bash
# Bole's end-to-end benchmark scenarios (bench/README.md): builds the release `scenarios` binary of
# crates/bole-bench, runs it on SQLite and PostgreSQL, and writes the results table (with the criterion
# kernel estimates appended) to target/bench-results.md, then prints it.
#
#   bash bench/run.sh                          # 100,000 employees / 1,000 units, 20,000 API requests at c=32
#   bash bench/run.sh --employees 20000 --engines sqlite      # any `scenarios` flags pass through
#   bash bench/run.sh --engines sqlite -- --applications 2000 --employees 20000 --engines sqlite
#                                              # flags after `--` go to `time_scenarios` (scenarios 4–5)
#
# Then the issue-5 scenarios (`time_scenarios`: leave at scale, monthly attendance summaries) run
# and their table is appended; BENCH_SKIP_TIME=1 leaves them out. Then the issue-6 scenario
# (`payroll_scenarios`: a monthly pay run of 100,000 employees on SQLite, 10,000 on PostgreSQL);
# BENCH_SKIP_PAYROLL=1 leaves it out, BENCH_PAYROLL_ARGS passes flags to it (e.g. "--employees 20000").
#
# PostgreSQL comes from BOLE_TEST_PG_URL, else scripts/ensure-postgres.sh; without a server the
# PostgreSQL rows say "not run". Targets are reported (PASS/MISS), never enforced: exit 0 when it ran.
# Loopback only: the load generator talks to a server this run starts on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO="${CARGO:-cargo}"
OUT=target/bench-results.md
mkdir -p target

if [ -z "${BOLE_TEST_PG_URL:-}" ] && [ -f scripts/ensure-postgres.sh ]; then
  if url="$(bash scripts/ensure-postgres.sh | tail -n 1)" && [ -n "$url" ]; then
    export BOLE_TEST_PG_URL="$url"
  else
    echo "bench: no PostgreSQL server; PostgreSQL scenarios will be skipped" >&2
  fi
fi

# `make bench` has just run the criterion kernels; run them here only when called on our own.
if [ -z "${MAKELEVEL:-}" ] && [ "${BENCH_SKIP_CRITERION:-0}" != 1 ]; then
  "$CARGO" bench --locked -p bole-bench
fi

# Flags before `--` are the `scenarios` binary's, those after it `time_scenarios`'.
SCENARIO_ARGS=()
TIME_ARGS=()
seen_sep=0
for a in "$@"; do
  if [ "$seen_sep" = 0 ] && [ "$a" = "--" ]; then seen_sep=1; continue; fi
  if [ "$seen_sep" = 0 ]; then SCENARIO_ARGS+=("$a"); else TIME_ARGS+=("$a"); fi
done

"$CARGO" build --release --locked -p bole-bench --bin scenarios --bin time_scenarios --bin payroll_scenarios
# The table goes to $OUT (printed below with the kernels); progress and each figure go to stderr.
./target/release/scenarios --out "$OUT" ${SCENARIO_ARGS[@]+"${SCENARIO_ARGS[@]}"} >/dev/null

# Issue 5: leave applications and approvals at scale, monthly attendance summaries.
if [ "${BENCH_SKIP_TIME:-0}" != 1 ]; then
  TIME_OUT=target/bench-results-time.md
  ./target/release/time_scenarios --out "$TIME_OUT" ${TIME_ARGS[@]+"${TIME_ARGS[@]}"} >/dev/null
  { echo; cat "$TIME_OUT"; } >> "$OUT"
fi

# Issue 6: a monthly pay run (gather, compute, persist, payslips) and payslip PDFs.
if [ "${BENCH_SKIP_PAYROLL:-0}" != 1 ]; then
  PAYROLL_OUT=target/bench-results-payroll.md
  # shellcheck disable=SC2086 # BENCH_PAYROLL_ARGS is a list of flags on purpose
  ./target/release/payroll_scenarios --out "$PAYROLL_OUT" ${BENCH_PAYROLL_ARGS:-} >/dev/null
  { echo; cat "$PAYROLL_OUT"; } >> "$OUT"
fi

# Criterion keeps its estimates under target/criterion/<benchmark>/new/estimates.json (nanoseconds).
if [ -d target/criterion ] && command -v python3 >/dev/null; then
  python3 - "$OUT" <<'PY'
import json, pathlib, sys
rows = []
for f in sorted(pathlib.Path("target/criterion").glob("*/new/estimates.json")):
    est = json.loads(f.read_text())
    def fmt(ns):
        for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
            if ns >= scale:
                return f"{ns / scale:.2f} {unit}"
        return f"{ns:.0f} ns"
    lo, hi = est["mean"]["confidence_interval"]["lower_bound"], est["mean"]["confidence_interval"]["upper_bound"]
    rows.append(f"| {f.parent.parent.name} | {fmt(est['median']['point_estimate'])} | {fmt(lo)} – {fmt(hi)} |")
if rows:
    with open(sys.argv[1], "a") as out:
        out.write("\nCriterion kernels (`cargo bench -p bole-bench`):\n\n| kernel | median | mean, 95% CI |\n|---|---|---|\n")
        out.write("\n".join(rows) + "\n")
PY
fi

echo
echo "bench: results written to $OUT"
echo
cat "$OUT"
