"""Every request reads its session and its user: both by one hand-written SELECT.

Django's own session store and ``ModelBackend`` read them through the ORM, whose query compiler
costs several times the database's work for a one-row read (gonghui.lib.fastsql). The rules are
Django's: an expired session is no session, an inactive user is no user, and the session's auth
hash is still checked by ``django.contrib.auth.get_user``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connection, connections, router
from django.utils import timezone

from gonghui.lib import fastsql
from gonghui.orgs import policy


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        connection = connections[router.db_for_read(self.model)]
        table = self.model._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608 - the model's table
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cur.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])


class Backend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        # The user and their live grants in one statement (every page reads the grants).
        columns, joins = policy.grants_join("u.id")
        n = len(model._meta.concrete_fields)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {fastsql.columns(model, 'u')}, {columns} FROM {model._meta.db_table} u {joins} WHERE u.id = %s ORDER BY g.id",  # noqa: S608
                [pk],
            )
            rows = cur.fetchall()
        if not rows:
            return None
        user = fastsql.build(model, rows[0][:n])
        if not self.user_can_authenticate(user):
            return None
        user._gonghui_grants = policy.grants_from_rows(row[n:] for row in rows)
        return user
