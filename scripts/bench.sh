#!/usr/bin/env bash
# Benchmarks (not tests): the load run against the fake Bot API, beside two
# teloxide echo bots (a sequential loop and a Dispatcher), the bot's memory
# with 10,000 and 40,000 open drafts and on a store holding 100,000 closed
# cases, then the pure core's steps/s with Criterion, then
# finding due jobs among 10,000 and 1,000,000 pending ones, then 5,000
# satisfaction surveys due at once going out within Telegram's limits (the
# test suite runs the same burst with 300), then `aftersales report` for one
# month of a store holding 1,000,000 cases and 3,000,000 events (seeded
# once, then kept under target/tmp until the migrations change).
#   BENCH_CUSTOMERS=200 scripts/bench.sh
#   BENCH_DB=postgres://aftersales:aftersales@127.0.0.1:5432 scripts/bench.sh
#   BENCH_QUICK=1 scripts/bench.sh    # short: 300 surveys, 10,000 drafts only, shorter Criterion runs, no report
# Each benchmark prints `BENCH key=value` lines; Criterion's figures are read
# from target/criterion/*/new/estimates.json. It ends with one summary table
# and target/bench/summary.json (the keys are described in README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# BENCH_DB=postgres://user:password@host:port runs the intake run and the
# survey burst on PostgreSQL (a fresh database of their own on that server);
# the other benchmarks read SQLite files of their own.
if [ -n "${BENCH_DB:-}" ]; then
  export AFTERSALES_TEST_DB="$BENCH_DB"
fi
out=target/bench
mkdir -p "$out"
figures="$out/figures.txt"
: >"$figures"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  criterion=(--warm-up-time 0.5 --measurement-time 2)
  burst=three_hundred_surveys
  export BENCH_QUIET_S="${BENCH_QUIET_S:-10}"
  export BENCH_DRAFTS="${BENCH_DRAFTS:-10000}" BENCH_CLOSED="${BENCH_CLOSED:-0}"
else
  criterion=(--warm-up-time 1 --measurement-time 5)
  burst=five_thousand_surveys
fi

# Runs a benchmark, showing its output, and keeps its `BENCH` figures (one
# key=value a line; a test's output may put the line after libtest's own text).
run() {
  "$@" | tee "$out/last.log"
  sed -n 's/.*BENCH //p' "$out/last.log" | tr ' ' '\n' | grep = >>"$figures" || true
}

# A Criterion benchmark's time in ns, the figure it prints: the slope where it
# fitted one, else the mean (estimates.json is one line of JSON).
estimate_ns() {
  local file="target/criterion/$1/new/estimates.json" key=mean
  if grep -q '"slope":{' "$file"; then key=slope; fi
  sed -E "s/.*\"$key\":\\{\"confidence_interval\":\\{[^}]*\\},\"point_estimate\":([0-9.eE+-]+).*/\\1/" "$file"
}

run cargo bench --locked --bench intake_load -- --bench
run cargo bench --locked --bench conversation -- "${criterion[@]}"
run cargo bench --locked --bench jobs -- "${criterion[@]}"
run cargo test --locked --test e2e "$burst" -- --include-ignored --nocapture
# The report over 1,000,000 cases: its first run seeds 3 GB for minutes.
if [ "${BENCH_QUICK:-0}" != 1 ]; then
  run cargo bench --locked --bench report
fi

# The pure core: one intake (its steps are Criterion's throughput elements).
steps=$(sed -E 's/.*"Elements":([0-9]+).*/\1/' target/criterion/conversation/intake_steps/new/benchmark.json)
awk -v ns="$(estimate_ns conversation/intake_steps)" -v steps="$steps" \
  'BEGIN { printf "core_step_us=%.2f\n", ns / steps / 1000 }' >>"$figures"
awk -v ns="$(estimate_ns jobs/due_100/1000000)" 'BEGIN { printf "jobs_due_1m_us=%.1f\n", ns / 1000 }' >>"$figures"
echo "nproc=$(nproc)" >>"$figures"

# The last figure of each key wins; keys keep their first order.
awk -F= -v date="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -v quick="${BENCH_QUICK:-0}" -v json="$out/summary.json" '
  !($1 in value) { order[++n] = $1 }
  { value[$1] = $2 }
  END {
    printf "\n%-28s %s\n", "summary", (quick == 1 ? "(BENCH_QUICK)" : "")
    printf "{\n  \"date\": \"%s\",\n  \"quick\": %s", date, (quick == 1 ? "true" : "false") >json
    for (i = 1; i <= n; i++) {
      printf "%-28s %s\n", order[i], value[order[i]]
      printf ",\n  \"%s\": %s", order[i], value[order[i]] >json
    }
    printf "\n}\n" >json
  }' "$figures"
echo "written: $out/summary.json"
