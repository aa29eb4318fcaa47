#!/usr/bin/env bash
# The test suite twice: on SQLite, then on PostgreSQL, on a throw-away
# cluster of the installed PostgreSQL server (Debian: apt-get install
# postgresql) that this script starts and removes. Extra arguments go to
# both `cargo test` runs (e.g. `scripts/test.sh --test e2e instances`).
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL: a cluster of its own in a temporary folder (owned by the
# `postgres` user the package creates; the server refuses to run as root),
# on a free port, so a server already running is left alone. Its superuser
# is `aftersales`. Stopped and removed however this script ends.
die() {
  echo "scripts/test.sh: $*" >&2
  exit 1
}
pg_bin=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || die "no PostgreSQL server installed: apt-get install postgresql (the tests run on it too)"
pg_dir=$(mktemp -d /tmp/aftersales-ci-pg.XXXXXX)
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_postgres() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_dir"; fi
echo aftersales >"$pg_dir/password"
as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U aftersales --pwfile="$pg_dir/password" \
  --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 ||
  { cat "$pg_dir/initdb.log" >&2; die "initdb failed: PostgreSQL cannot run here"; }
pg_port=55432
while (: <"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do
  pg_port=$((pg_port + 1))
done
# Room for every parallel test's pools; no durability for a database thrown
# away after the run (fsync off: the store's unit tests 11 s instead of 15 s).
as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=300 \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null ||
  { cat "$pg_dir/server.log" >&2; die "PostgreSQL did not start on port $pg_port"; }
pg_server="postgres://aftersales:aftersales@127.0.0.1:$pg_port"

# The tests on SQLite (those of `db copy` and of two instances use
# PostgreSQL even then), then on PostgreSQL.
echo "== the tests on SQLite" >&2
AFTERSALES_TEST_POSTGRES="$pg_server" cargo test --locked "$@"
echo "== the tests on PostgreSQL ($pg_server)" >&2
AFTERSALES_TEST_POSTGRES="$pg_server" AFTERSALES_TEST_DB="$pg_server" cargo test --locked "$@"
