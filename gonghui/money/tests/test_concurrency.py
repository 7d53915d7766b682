"""16 approvals at once against an envelope that can afford 10: exactly 10 succeed, the other 6 are
refused as over budget, and the database holds exactly what the 10 wrote (see race.py).

On PostgreSQL the threads run in the test process against the test database. On SQLite the test
database is a shared-cache in-memory one, whose table locks answer "table is locked" at once
instead of waiting; so the race runs in a subprocess on a migrated SQLite file with the project's
own settings (WAL, BEGIN IMMEDIATE, busy_timeout 20 s), as the app runs in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from . import race

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL variant; on SQLite see the file-database test below")
def test_it_approves_exactly_10_of_16_concurrent_approvals_on_postgresql(flushable_ledger, world) -> None:
    env, apps, approver = race.setup_16(city=world.city_a1, unit=world.unit_a1)
    assert race.outcome(env, *race.approve_all_at_once(apps, approver)) == race.EXPECTED


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite variant; on PostgreSQL see the test above")
def test_it_approves_exactly_10_of_16_concurrent_approvals_on_a_sqlite_file(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "GONGHUI_TESTING": "1",
        "PYTHONPATH": str(ROOT),
        "SQLITE_PATH": str(tmp_path / "race.sqlite3"),
    }

    def run(*args: str) -> str:
        # No timeout below the job's own: a loaded machine is slow, never wrong.
        done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter, fixed arguments
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--no-input", "-v0")
    out = run("-c", "import django; django.setup(); from gonghui.money.tests import race; race.main()")
    assert json.loads(out.strip().splitlines()[-1]) == race.EXPECTED
