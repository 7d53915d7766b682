"""SIGKILL in the middle of an import's apply leaves the database exactly as before.

A real process imports a real file into its own database (a file for SQLite, a fresh database on
the PostgreSQL server otherwise). A failpoint pauses it inside the apply transaction, after the
people are inserted; the test kills it there and compares every table with its state before.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

SNAPSHOT = """
import json
from django.apps import apps
from django.db import connection
out = {m._meta.db_table: m.objects.count() for m in apps.get_models()}
out["_people_sum"] = sum(apps.get_model("people", "Person").objects.values_list("id", flat=True))
if connection.vendor == "sqlite":
    with connection.cursor() as c:
        c.execute("PRAGMA integrity_check")
        out["_integrity"] = c.fetchone()[0]
print(json.dumps(out, sort_keys=True))
"""

SETUP = """
from tests.factories import L, make_org, make_user, roll_row, new_id, xlsx_bytes
from pathlib import Path
import sys
root = make_org(None, "中华全国总工会", L.NATIONAL, region="110000")
unit = make_org(root, "测试工会", L.GRASSROOTS)
make_user("importer", "fed_admin", org=root)
rows = [roll_row(f"职工{i}", new_id(), unit.code) for i in range(3000)]
Path(sys.argv[1]).write_bytes(xlsx_bytes(rows))
print(unit.code)
"""


@pytest.fixture
def database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env |= {"DJANGO_SETTINGS_MODULE": "gonghui.settings", "GONGHUI_TESTING": "1", "PYTHONPATH": str(ROOT)}
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        import psycopg

        u = urlparse(os.environ["DATABASE_URL"])
        name = f"gonghui_kill_{uuid.uuid4().hex[:8]}"
        admin = f"postgresql://{u.username or 'postgres'}@{u.hostname}:{u.port or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = admin.rsplit("/", 1)[0] + "/" + name
        yield env
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path / "kill.sqlite3")
        yield env


def manage(env, *args, **kw):
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True, **kw)


def shell(env, code: str, *args: str) -> str:
    return subprocess.run(
        [PY, "-c", "import django; django.setup()\n" + code, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def test_sigkill_mid_apply_leaves_the_database_as_before(database, tmp_path) -> None:
    env = database
    manage(env, "migrate", "--no-input", "-v0")
    roll = tmp_path / "roll.xlsx"
    code = shell(env, SETUP, str(roll)).strip().splitlines()[-1]
    before = json.loads(shell(env, SNAPSHOT))
    marker = tmp_path / "inside-transaction"
    proc = subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "import_file", "--user", "importer", "--org", code, str(roll), "--apply"],
        env=env | {"GONGHUI_FAILPOINT": "import.merge", "GONGHUI_FAILPOINT_FILE": str(marker)},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the import never reached its apply transaction"
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = json.loads(shell(env, SNAPSHOT))
    staged = "people_personimportrow"
    assert after.pop(staged) == 3000  # the preview's staging rows are all that differ
    assert before.pop(staged) == 0
    changed_job_tables = {"imports_importjob", "audit_auditevent", "django_tasks_db_dbtaskresult"}
    assert {k: v for k, v in after.items() if k not in changed_job_tables} == {k: v for k, v in before.items() if k not in changed_job_tables}
    assert after["people_person"] == before["people_person"] == 0
    assert after["audit_auditevent"] == before["audit_auditevent"] + 1  # only the upload's own audit row
    if "_integrity" in after:
        assert after["_integrity"] == "ok"
    # and the same file, imported again without the failpoint, lands whole
    out = manage(env, "import_file", "--user", "importer", "--org", code, str(roll), "--apply").stdout
    assert "'created': 3000" in out
