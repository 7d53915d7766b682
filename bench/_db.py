"""Where a benchmark's database lives: a SQLite file under bench/out or a PostgreSQL database of
its own, with the app's settings (the benchmarks measure the app as it runs, not a test setup)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def prepare(db: str, *, sqlite_path: Path, pg_name: str, fresh: bool = True, extra_env: dict[str, str] | None = None) -> None:
    """Point Django at the bench database; ``fresh`` empties it first. Call before django.setup()."""
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for s in ("", "-wal", "-shm") if fresh else ():
            Path(f"{sqlite_path}{s}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(sqlite_path)
    else:
        import psycopg

        if fresh:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {pg_name}")
        os.environ["DATABASE_URL"] = pg_url(pg_name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_VAR_DIR"] = str(OUT / "var")
    os.environ.update(extra_env or {})
    os.environ.pop("GONGHUI_TESTING", None)
    sys.path.insert(0, str(ROOT))
