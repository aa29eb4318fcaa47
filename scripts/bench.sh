#!/usr/bin/env bash
# Benchmarks (not tests): the load run against the fake Bot API, beside a
# bare teloxide echo bot, then the pure core's steps/s with Criterion, then
# finding due jobs among 10,000 and 1,000,000 pending ones, then 5,000
# satisfaction surveys due at once going out within Telegram's limits (the
# test suite runs the same burst with 300), then `aftersales report` for one
# month of a store holding 1,000,000 cases and 3,000,000 events (seeded
# once, then kept under target/tmp until the migrations change).
#   BENCH_CUSTOMERS=200 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench intake_load -- --bench
cargo bench --bench conversation -- --warm-up-time 1 --measurement-time 5
cargo bench --bench jobs -- --warm-up-time 1 --measurement-time 5
cargo test --locked --test e2e five_thousand_surveys -- --ignored --nocapture
cargo bench --bench report
