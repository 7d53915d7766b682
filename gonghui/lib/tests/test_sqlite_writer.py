"""The SQLite backend's writer lock (gonghui/lib/sqlite): taken for every write, released at its end,
and bounded by the connection's timeout. Runs on a file database of its own."""

from __future__ import annotations

import fcntl
import gc
import os
import sqlite3

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


def other_connection(path: str) -> sqlite3.Connection:
    """A plain sqlite3 connection that never waits: it fails at once if SQLite's lock is taken."""
    return sqlite3.connect(path.removesuffix("-writer"), timeout=0, isolation_level=None)


def test_an_autocommit_insert_returning_is_read_and_committed_under_the_lock(db_file) -> None:
    conn, lock = db_file
    with conn.cursor() as c:
        c.execute("INSERT INTO t (v) VALUES (%s) RETURNING id, v", ["一"])
        # the statement has finished and committed: the lock is free and SQLite's too
        assert taken_elsewhere(lock) is False
        other = other_connection(lock)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        assert c.fetchone() == (1, "一") and c.fetchone() is None
        c.executemany("INSERT INTO t (v) VALUES (%s)", [["二"], ["三"]])
        c.execute("INSERT INTO t (v) VALUES (%s), (%s) RETURNING v", ["四", "五"])
        assert (c.fetchmany(1), c.fetchall(), list(c)) == ([("四",)], [("五",)], [])
    other.close()
    assert rows(conn) == ["一", "二", "三", "四", "五"]


def test_nested_blocks_keep_it_until_the_outermost_ends_and_closing_lets_it_go(db_file) -> None:
    conn, lock = db_file
    with transaction.atomic(using="w"):
        with transaction.atomic(using="w"), conn.cursor() as c:  # a savepoint
            c.execute("INSERT INTO t (v) VALUES (%s)", ["一"])
        assert taken_elsewhere(lock) is True
    assert taken_elsewhere(lock) is False
    with transaction.atomic(using="w"):
        assert taken_elsewhere(lock) is True
        conn.close()  # a dropped connection: SQLite rolls back, the lock goes with the descriptor
        assert taken_elsewhere(lock) is False
        conn.needs_rollback = True
    assert rows(conn) == ["一"]


def test_a_connection_collected_without_close_leaves_no_descriptor(db_file) -> None:
    conn, lock = db_file
    from gonghui.lib.sqlite.base import DatabaseWrapper

    raw = conn.get_new_connection(conn.get_connection_params())
    assert isinstance(conn, DatabaseWrapper) and raw.writer is not None
    fd, inode = raw.writer.fd, os.stat(lock).st_ino
    del raw
    gc.collect()
    try:
        still_ours = os.fstat(fd).st_ino == inode
    except OSError:
        still_ours = False
    assert still_ours is False


def test_without_access_to_the_lock_file_the_connection_works_the_old_way(db_file, monkeypatch) -> None:
    conn, _lock = db_file
    real_open = os.open

    def refuse(path: str, *args: object) -> int:
        if str(path).endswith("-writer"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args)

    conn.close()
    monkeypatch.setattr(os, "open", refuse)
    with transaction.atomic(using="w"), conn.cursor() as c:
        c.execute("INSERT INTO t (v) VALUES (%s)", ["一"])
        assert conn.connection.writer is None
    assert rows(conn) == ["一"]
