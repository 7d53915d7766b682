"""Every request reads its session, its user and the user's live grants in one hand-written SELECT.

Django's own session store and ``ModelBackend`` read them through the ORM, in two queries, whose
compiler costs several times the database's work for a one-row read (gonghui.lib.fastsql). The
session row carries the signed-in user's id (``UserSession.user_id``, written with the session),
so ``SessionStore.load`` joins the user and grants to it and hands the user to ``Backend.get_user``
for the same request (a context variable, reset by every load). The rules are Django's: an
expired session is no session, an inactive user is no user, and the session's auth hash is still
checked by ``django.contrib.auth.get_user``.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connection, connections, router
from django.utils import timezone

from gonghui.lib import fastsql
from gonghui.orgs import policy

# The user the current request's session load read with the session: taken by the backend once.
_loaded_user: ContextVar[Any] = ContextVar("gonghui_loaded_user", default=None)


def _user_and_grants_sql(user_id_sql: str) -> tuple[str, str, int]:
    """(columns, joins, user column count): a user row and its live grants."""
    model = get_user_model()
    columns, joins = policy.grants_join("u.id")
    joins = f"LEFT JOIN {model._meta.db_table} u ON u.id = {user_id_sql} {joins}"
    return f"{fastsql.columns(model, 'u')}, {columns}", joins, len(model._meta.concrete_fields)


def _user_from_rows(rows: list[Any], first: int, n: int) -> Any:
    user = fastsql.build(get_user_model(), rows[0][first : first + n])
    user._gonghui_grants = policy.grants_from_rows(row[first + n :] for row in rows)
    return user


def end_request() -> None:
    """Forget the user this request's session load read (called when the request ends, so a
    user object never outlives its request in a reused thread)."""
    _loaded_user.set(None)


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        obj = super().create_model_instance(data)
        user_id = str(data.get(SESSION_KEY, ""))
        obj.user_id = int(user_id) if user_id.isdigit() else None
        return obj

    def load(self) -> dict[str, Any]:
        _loaded_user.set(None)
        connection = connections[router.db_for_read(self.model)]
        columns, joins, n = _user_and_grants_sql("s.user_id")
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.session_data, {columns} FROM {self.model._meta.db_table} s {joins} "  # noqa: S608 - the models' tables
                "WHERE s.session_key = %s AND s.expire_date > %s ORDER BY g.id",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            rows = cur.fetchall()
        if not rows:
            self._session_key = None
            return {}
        if rows[0][1] is not None:  # the user the row names exists
            _loaded_user.set(_user_from_rows(rows, 1, n))
        return self.decode(rows[0][0])


class Backend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _loaded_user.get()
        _loaded_user.set(None)
        if user is None or user.pk != pk:  # not read with this request's session: read it now
            columns, joins, n = _user_and_grants_sql("%s")
            with connection.cursor() as cur:
                cur.execute(f"SELECT {columns} FROM (SELECT 1) one {joins} ORDER BY g.id", [pk])  # noqa: S608 - the models' tables
                rows = cur.fetchall()
            if not rows or rows[0][0] is None:
                return None
            user = _user_from_rows(rows, 0, n)
        return user if self.user_can_authenticate(user) else None
