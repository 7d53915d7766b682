"""Django's SQLite backend, with writers queued on a file lock instead of SQLite's busy sleeps.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in SQLite's
busy handler — 1 ms, then 2, 5, 10 ms … — and retries, so with two app processes each write that
meets another waits longer than it had to, and the tail grows under load (bench/checkin.py: 0.7 ms
of each check-in request's 3 ms went to BEGIN IMMEDIATE). Here every write — a transaction from
its BEGIN to its COMMIT or ROLLBACK, or one autocommit INSERT / UPDATE / DELETE / REPLACE, its
returned rows read and its commit done — first takes an exclusive ``flock`` on
``<database>-writer``. A waiter polls the lock every 50 µs to 1 ms (no first-come order), far
finer than SQLite's first 1 ms sleep. SQLite's own locking is unchanged underneath: a process that
does not use this backend is still kept out by it, and schema statements or ``WITH … INSERT`` in
autocommit simply wait the old way.

The wait is bounded by the connection's ``timeout`` option, then ``OperationalError("database is
locked")`` as SQLite would answer. Where the lock file cannot be opened (another owner, a read-only
directory) the connection works without it. In-memory databases (tests) never use it.
"""

from __future__ import annotations

import fcntl
import functools
import os
import sqlite3
import time
import weakref
from collections import deque
from typing import Any

from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class _Connection(sqlite3.Connection):
    writer: _WriterLock | None = None


class _WriterLock:
    def __init__(self, fd: int, timeout: float) -> None:
        self.fd = fd
        self.timeout = timeout
        self.held = False

    @classmethod
    def open(cls, database: str, timeout: float) -> _WriterLock | None:
        """The lock file beside ``database``, created with the database file's permissions; None
        when it cannot be opened (flock needs no write access: a read-only descriptor will do)."""
        path = f"{database}-writer"
        try:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                mode = os.stat(database).st_mode & 0o666 if os.path.exists(database) else 0o644
                fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, mode)
        except OSError:
            return None
        return cls(fd, timeout)

    def acquire(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait()
        self.held = True

    def _wait(self) -> None:
        deadline = time.monotonic() + self.timeout
        pause = 0.00005
        while True:
            time.sleep(pause)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                pause = min(pause * 2, 0.001)

    def release(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Idempotent; also run when the connection is collected without being closed."""
        if self.fd >= 0:
            fd, self.fd, self.held = self.fd, -1, False
            os.close(fd)  # closing drops the lock too


def _convert(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


_qmark_cached = functools.lru_cache(maxsize=2048)(_convert)


def _qmark(query: str) -> str:
    """Django's "%s" → "?" rewrite (a regex substitution on every statement), remembered: an app
    sends the same few hundred statements over and over. Long statements (bulk inserts, long IN
    lists) are rewritten each time rather than kept."""
    return _qmark_cached(query) if len(query) <= 4096 else _convert(query)


class _Cursor(base.SQLiteCursorWrapper):
    """Takes the writer lock around an autocommit write. A statement with RETURNING completes (and
    commits) only when its rows have been read, so those are read under the lock and served from
    a buffer."""

    _buffer: deque[Any] | None = None

    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        return _qmark(query) if param_names is None else super().convert_query(query, param_names=param_names)

    def _autocommit_write(self, query: str) -> _WriterLock | None:
        writer = self.connection.writer
        if writer is None or writer.held or self.connection.in_transaction:
            return None
        return writer if query.lstrip()[:6].upper() in WRITES else None

    def _run(self, query: str, run: Any) -> Any:
        self._buffer = None
        writer = self._autocommit_write(query)
        if writer is None:
            return run()
        writer.acquire()
        try:
            result = run()
            if self.description is not None:
                self._buffer = deque(super().fetchall())
            return result
        finally:
            writer.release()

    def execute(self, query: str, params: Any = None) -> Any:
        return self._run(query, lambda: super(_Cursor, self).execute(query, params))

    def executemany(self, query: str, param_list: Any) -> Any:
        return self._run(query, lambda: super(_Cursor, self).executemany(query, param_list))

    def fetchone(self) -> Any:
        if self._buffer is None:
            return super().fetchone()
        return self._buffer.popleft() if self._buffer else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        if self._buffer is None:
            return super().fetchmany(self.arraysize if size is None else size)
        n = self.arraysize if size is None else size
        return [self._buffer.popleft() for _ in range(min(n, len(self._buffer)))]

    def fetchall(self) -> list[Any]:
        if self._buffer is None:
            return super().fetchall()
        rows, self._buffer = list(self._buffer), deque()
        return rows

    def __iter__(self) -> Any:
        return super().__iter__() if self._buffer is None else iter(self.fetchall())


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        return super().get_connection_params() | {"factory": _Connection}

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            conn.writer = _WriterLock.open(str(self.settings_dict["NAME"]), float(conn_params.get("timeout", 5)))
            if conn.writer is not None:
                weakref.finalize(conn, conn.writer.close)
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=_Cursor)

    def _writer(self) -> _WriterLock | None:
        return getattr(self.connection, "writer", None)

    def _start_transaction_under_autocommit(self) -> None:
        writer = self._writer()
        if writer is not None and not writer.held:
            with self.wrap_database_errors:
                writer.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        writer = self._writer()
        if writer is not None:
            writer.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writer()

    def _close(self) -> None:
        writer = self._writer()
        try:
            super()._close()
        finally:
            if writer is not None:
                writer.close()
