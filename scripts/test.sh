#!/usr/bin/env bash
# The whole suite: SQLite, then PostgreSQL, then the browser tests. Prints the count run on each.
# Any failure, and any run that executes no test, fails the whole.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p test-artifacts
bash scripts/ensure-system.sh
bash scripts/ensure-postgres.sh

run() {  # name, then pytest arguments
  local name=$1; shift
  local xml="test-artifacts/junit-$name.xml"
  set +e
  "$PY" -m pytest -q --junitxml="$xml" "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "[$name] no tests ran: failing" >&2; exit 1; fi
  if [ $rc -ne 0 ]; then echo "[$name] failed (exit $rc)" >&2; exit $rc; fi
  "$PY" scripts/junit_count.py "$name" "$xml" >> test-artifacts/summary.txt
}

: > test-artifacts/summary.txt
"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "migrations are missing: run makemigrations" >&2; exit 1; }
.venv/bin/ruff check -q gonghui tests conftest.py scripts bench
.venv/bin/ruff format --check -q gonghui tests conftest.py scripts bench
run sqlite -m "not browser" -p no:randomly
DATABASE_URL="postgresql://postgres@127.0.0.1:5432/gonghui" run postgresql -m "not browser"
run browser -m browser
echo
echo "Tests run per database and kind:"
cat test-artifacts/summary.txt
"$PY" scripts/junit_count.py --total test-artifacts/junit-*.xml
