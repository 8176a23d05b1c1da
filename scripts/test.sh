#!/usr/bin/env bash
# Install what the tests need and run the whole suite: ruff, then pytest on SQLite and on PostgreSQL.
#   scripts/test.sh                 both databases
#   ZHIFA_TEST_DATABASES=sqlite scripts/test.sh     one database
#   scripts/test.sh -k calendar     extra arguments go to pytest
source "$(dirname "$0")/lib.sh"
ensure_apt "${SYSTEM_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" "${RENDER_PACKAGES[@]}"
ensure_venv test

echo "==> ruff"
.venv/bin/ruff check src tests benchmarks || exit 1

echo "==> lint-imports (layering: pyproject.toml [tool.importlinter])"
PYTHONPATH=src .venv/bin/lint-imports || exit 1

audit_dependencies

PG_URL="${ZHIFA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
DATABASES="${ZHIFA_TEST_DATABASES:-sqlite postgresql}"
WORKERS="${ZHIFA_TEST_WORKERS:-2}"
status=0
for db in $DATABASES; do
  echo "==> pytest on $db"
  if [ "$db" = "postgresql" ]; then
    DATABASE_URL="$PG_URL" ZHIFA_TEST_DB="suite_pg" .venv/bin/pytest -n "$WORKERS" --create-db -q "$@" || status=$?
  else
    env -u DATABASE_URL ZHIFA_TEST_DB="suite_sqlite" .venv/bin/pytest -n "$WORKERS" --create-db -q "$@" || status=$?
  fi
done
exit $status
