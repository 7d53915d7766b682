"""Django's SQLite backend, with writers queued on an OS file lock instead of SQLite's busy sleeps.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps in SQLite's
busy handler — 1 ms, then 2, 5, 10 ms … — and retries, so with two app processes each write that
meets another waits about a millisecond longer than it had to, and the tail grows under load
(bench/checkin.py: 0.7 ms of each check-in request's 3 ms went to BEGIN IMMEDIATE). Here every
write (a transaction from its BEGIN to its COMMIT or ROLLBACK, or one autocommit INSERT / UPDATE /
DELETE) first takes an exclusive ``flock`` on ``<database>-writer``; waiters are woken by the
kernel the moment it is released. SQLite's own locking is unchanged underneath (a process that does
not use this backend is still kept out by it), so this only changes how long a writer waits.

The wait is bounded by the connection's ``timeout`` option (as SQLite's busy timeout is): then
``OperationalError("database is locked")``, as SQLite would answer. In-memory databases (tests) are
left as they are.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class _Connection(sqlite3.Connection):
    writer: _WriterLock | None = None


class _WriterLock:
    def __init__(self, path: str, timeout: float) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self.timeout = timeout
        self.held = False

    def acquire(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._wait()
        self.held = True

    def _wait(self) -> None:
        # Blocking flock cannot time out; short polls do (50 µs, doubling to 1 ms: far finer
        # than SQLite's busy handler, whose first retry comes after 1 ms).
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
        self.release()
        os.close(self.fd)


class _Cursor(base.SQLiteCursorWrapper):
    def _autocommit_write(self, query: str) -> _WriterLock | None:
        writer = self.connection.writer
        if writer is None or writer.held or self.connection.in_transaction:
            return None
        return writer if query.lstrip()[:6].upper() in WRITES else None

    def _run(self, query: str, run: Any) -> Any:
        writer = self._autocommit_write(query)
        if writer is None:
            return run()
        writer.acquire()
        try:
            return run()
        finally:
            writer.release()

    def execute(self, query: str, params: Any = None) -> Any:
        return self._run(query, lambda: super(_Cursor, self).execute(query, params))

    def executemany(self, query: str, param_list: Any) -> Any:
        return self._run(query, lambda: super(_Cursor, self).executemany(query, param_list))


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        return super().get_connection_params() | {"factory": _Connection}

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            conn.writer = _WriterLock(f"{self.settings_dict['NAME']}-writer", float(conn_params.get("timeout", 5)))
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
