#!/usr/bin/env bash
# Install what the tests need and run the whole suite: ruff, then pytest on SQLite and on PostgreSQL (both at once).
#   scripts/test.sh                 both databases
#   ZHIFA_TEST_DATABASES=sqlite scripts/test.sh     one database
#   scripts/test.sh -k calendar     extra arguments go to pytest
#   ZHIFA_TEST_SEQUENTIAL=1 scripts/test.sh         one database after the other (default: both at once)
source "$(dirname "$0")/lib.sh"
ensure_apt "${SYSTEM_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" "${RENDER_PACKAGES[@]}"
ensure_venv test

# With PYTHONDONTWRITEBYTECODE set (this machine's shells set it) no .pyc is ever written: every pytest process and
# every process a test starts (gunicorn, Celery, manage.py) compiles the project's ~700 modules from source again,
# and pytest rewrites the asserts of every test module again — collecting the suite took 17 CPU-s instead of 9.5
# (2026-12-06), in each of the four workers. The bytecode goes to __pycache__ (ignored by git).
unset PYTHONDONTWRITEBYTECODE

echo "==> ruff"
.venv/bin/ruff check src tests benchmarks || exit 1

echo "==> lint-imports (layering: pyproject.toml [tool.importlinter])"
PYTHONPATH=src .venv/bin/lint-imports || exit 1

audit_dependencies

PG_URL="${ZHIFA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
DATABASES="${ZHIFA_TEST_DATABASES:-sqlite postgresql}"
WORKERS="${ZHIFA_TEST_WORKERS:-2}"
PREFIX="${ZHIFA_TEST_DB_PREFIX:-suite}"  # the test databases: <prefix>_sqlite, <prefix>_pg

# Tests go out to the workers two at a time, longest first (zhifa.testing.LONGEST_FIRST; docs/testing.md "Longest
# first"): by default pytest-xdist sends each worker a quarter of its share at once, in collection order.
SCHEDULE=(--maxschedchunk 2)

run_pytest() {  # run_pytest <db> [pytest args…]
  local db="$1"
  shift
  if [ "$db" = "postgresql" ]; then
    # Tests marked engine_independent (no database access that differs by engine) or engine_once (a broker variant
    # whose database side its sibling tests on both engines) run once, on SQLite — unless SQLite is not run at all.
    # ZHIFA_TEST_PAIRED=1 leaves the other engine-independent halves to SQLite too (docs/testing.md, "What runs once").
    local once=(-m "not engine_independent and not engine_once") paired=1 first=1
    [[ " $DATABASES " == *" sqlite "* ]] || { once=(); paired=0; first=0; }
    # Beside the SQLite run, the transactional tests (browser, fault, worker: much of their time spent waiting
    # for chromium, gunicorn and Celery) go first here and last there, so the two runs do not wait at the same
    # time (zhifa.testing.transactional_first; docs/testing.md, "Transactional tests first on one engine").
    [ "${ZHIFA_TEST_SEQUENTIAL:-0}" = "1" ] && first=0
    DATABASE_URL="$PG_URL" ZHIFA_TEST_DB="${PREFIX}_pg" ZHIFA_TEST_PAIRED="$paired" \
      ZHIFA_TEST_TRANSACTIONAL_FIRST="$first" \
      .venv/bin/pytest -n "$WORKERS" "${SCHEDULE[@]}" --create-db -q "${once[@]}" "$@"
  else
    env -u DATABASE_URL ZHIFA_TEST_DB="${PREFIX}_sqlite" .venv/bin/pytest -n "$WORKERS" "${SCHEDULE[@]}" --create-db -q "$@"
  fi
}

status=0
# The databases run at the same time (ZHIFA_TEST_SEQUENTIAL=1: one after the other). Neither run keeps both cores
# busy all the time (PostgreSQL round trips, the subprocesses of the worker, fault and browser tests, each run's
# start and its last tests), so together they end sooner than one after the other (docs/testing.md). Each run's
# output goes to var/test-<prefix>-<db>.log and is printed when that run ends.
if [ "${ZHIFA_TEST_SEQUENTIAL:-0}" = "1" ] || [ "$(wc -w <<<"$DATABASES")" -le 1 ]; then
  for db in $DATABASES; do
    echo "==> pytest on $db"
    run_pytest "$db" "$@" || status=$?
  done
  exit $status
fi

mkdir -p var
declare -A pids
# A background job of a script ignores Ctrl-C: stop the runs it started when this script is interrupted.
trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM
for db in $DATABASES; do
  echo "==> pytest on $db (started; output in var/test-${PREFIX}-$db.log)"
  run_pytest "$db" "$@" >"var/test-${PREFIX}-$db.log" 2>&1 &
  pids[$db]=$!
done
for db in $DATABASES; do
  rc=0
  wait "${pids[$db]}" || rc=$?
  echo "==> pytest on $db (exit $rc)"
  cat "var/test-${PREFIX}-$db.log"
  [ "$rc" -eq 0 ] || status=$rc
done
exit $status
