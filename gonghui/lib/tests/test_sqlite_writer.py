"""The SQLite backend's writer lock (gonghui/lib/sqlite): taken for every write, released at its end,
and bounded by the connection's timeout. Runs on a file database of its own."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler


@pytest.fixture
def db_file(tmp_path, monkeypatch, django_db_blocker):  # type: ignore[no-untyped-def]
    """A connection alias "w" on a file of its own (the test databases are in memory: no lock)."""
    name = str(tmp_path / "w.sqlite3")
    options = {"timeout": 0.3, "transaction_mode": "IMMEDIATE"}
    config = ConnectionHandler().configure_settings({"default": {}, "w": {"ENGINE": "gonghui.lib.sqlite", "NAME": name, "OPTIONS": options}})
    monkeypatch.setitem(connections.settings, "w", config["w"])
    with django_db_blocker.unblock():
        conn = connections["w"]
        with conn.cursor() as c:
            c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        yield conn, f"{name}-writer"
        conn.close()
    del connections["w"]


def taken_elsewhere(path: str) -> bool:
    """Whether another holder has the writer lock (a probe on a descriptor of our own)."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def rows(conn) -> list[str]:  # type: ignore[no-untyped-def]
    with conn.cursor() as c:
        c.execute("SELECT v FROM t ORDER BY id")
        return [r[0] for r in c.fetchall()]


def test_a_transaction_holds_the_writer_lock_from_begin_to_commit_or_rollback(db_file) -> None:
    conn, lock = db_file
    with transaction.atomic(using="w"):
        assert taken_elsewhere(lock) is True
        with conn.cursor() as c:
            c.execute("INSERT INTO t (v) VALUES (%s)", ["一"])
        assert taken_elsewhere(lock) is True
    assert taken_elsewhere(lock) is False
    with pytest.raises(ZeroDivisionError), transaction.atomic(using="w"):
        with conn.cursor() as c:
            c.execute("INSERT INTO t (v) VALUES (%s)", ["二"])
        1 / 0  # noqa: B018 - the rollback path
    assert (taken_elsewhere(lock), rows(conn)) == (False, ["一"])


def test_an_autocommit_write_takes_it_for_the_statement_only_and_a_read_never(db_file) -> None:
    conn, lock = db_file
    with conn.cursor() as c:
        c.execute("INSERT INTO t (v) VALUES (%s)", ["一"])
        assert taken_elsewhere(lock) is False
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another writer holds it: reads go on
    try:
        assert rows(conn) == ["一"]
    finally:
        os.close(fd)


def test_a_writer_gives_up_after_the_timeout_and_writes_nothing(db_file) -> None:
    conn, lock = db_file
    fd = os.open(lock, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic(using="w"), conn.cursor() as c:
            c.execute("INSERT INTO t (v) VALUES (%s)", ["一"])
        with pytest.raises(OperationalError, match="database is locked"), conn.cursor() as c:
            c.execute("UPDATE t SET v = %s", ["二"])
    finally:
        os.close(fd)
    assert (taken_elsewhere(lock), rows(conn)) == (False, [])
    with transaction.atomic(using="w"), conn.cursor() as c:  # free again: writes go through
        c.execute("INSERT INTO t (v) VALUES (%s)", ["三"])
    assert rows(conn) == ["三"]
