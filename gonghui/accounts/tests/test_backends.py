"""The session store, user backend and grants read by cursor keep Django's rules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gonghui.accounts.models import UserSession as Session
from gonghui.orgs import policy
from tests.factories import make_org, make_user


def test_a_logged_in_user_is_read_back_and_an_expired_session_is_no_session(db, client) -> None:
    user = make_user("wang")
    client.force_login(user)
    seen = client.get("/").wsgi_request.user
    assert (seen.pk, seen.username, seen.is_authenticated, seen.date_joined) == (user.pk, "wang", True, user.date_joined)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_an_inactive_user_is_no_user(db, client) -> None:
    user = make_user("li")
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/").wsgi_request.user.is_authenticated is False


def test_grants_carry_their_org_and_leave_out_revoked_ones(db) -> None:
    root = make_org(None, "全国总工会", "national")
    city = make_org(root, "合肥市总工会", "prefecture")
    user = make_user("zhao", "viewer", org=city)
    from gonghui.accounts.models import RoleGrant

    RoleGrant.objects.create(user=user, role="cadre", org=root, granted_at=timezone.now(), revoked_at=timezone.now())
    grants = policy.active_grants(user)
    assert [(g.role, g.org.path, g.org.name) for g in grants] == [("viewer", city.path, "合肥市总工会")]
    assert policy.scope_paths(user, "view") == [city.path] and policy.scope_paths(user, "operate") == []


def test_a_requests_user_arrives_with_its_live_grants_read_in_the_same_statement(db, client) -> None:
    from gonghui.accounts.models import RoleGrant

    root = make_org(None, "全国总工会", "national")
    city = make_org(root, "合肥市总工会", "prefecture")
    user = make_user("qian", "cadre", org=city)
    RoleGrant.objects.create(user=user, role="viewer", org=root, granted_at=timezone.now(), revoked_at=timezone.now())
    RoleGrant.objects.create(user=user, role="worker", granted_at=timezone.now())
    client.force_login(user)
    seen = client.get("/").wsgi_request.user
    assert [(g.role, g.org.path if g.org_id else None) for g in seen._gonghui_grants] == [("cadre", city.path), ("worker", None)]
    nobody = make_user("sun")
    client.force_login(nobody)
    assert client.get("/").wsgi_request.user._gonghui_grants == []


def test_the_session_row_names_its_user_and_one_statement_reads_session_user_and_grants(db, client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.accounts.backends import Backend

    city = make_org(make_org(None, "全国总工会", "national"), "合肥市总工会", "prefecture")
    user = make_user("zhou", "cadre", org=city)
    client.force_login(user)
    assert list(Session.objects.values_list("user_id", flat=True)) == [user.pk]
    client.get("/")  # the idle-timeout refresh writes the session once
    with CaptureQueriesContext(connection) as ctx:
        seen = client.get("/").wsgi_request.user
        assert (seen.pk, [g.role for g in seen._gonghui_grants]) == (user.pk, ["cadre"])
    reads = [q["sql"] for q in ctx.captured_queries if "accounts_user" in q["sql"]]
    assert len(reads) == 1 and "accounts_usersession" in reads[0] and "accounts_rolegrant" in reads[0]
    # The user a session load read is handed over only for its own id, once; any other id is read on its own.
    from gonghui.accounts import backends

    other = make_user("wu", "viewer", org=city)
    backends._loaded_user.set(seen)
    got = Backend().get_user(other.pk)
    assert (got.pk, [g.role for g in got._gonghui_grants]) == (other.pk, ["viewer"])
    backends._loaded_user.set(seen)
    assert Backend().get_user(user.pk) is seen
    assert backends._loaded_user.get() is None
    assert Backend().get_user(10**9) is None
    backends._loaded_user.set(seen)
    backends.end_request()
    assert backends._loaded_user.get() is None


def test_the_session_data_not_the_column_says_who_is_signed_in_and_logging_out_ends_the_row(db, client) -> None:
    user = make_user("feng")
    other = make_user("chen")
    client.force_login(user)
    for wrong in (other.pk, 10**9, None):  # a column naming someone else, no one that exists, no one
        Session.objects.update(user_id=wrong)
        assert client.get("/").wsgi_request.user.pk == user.pk
    client.force_login(user)  # a save writes the column again
    assert Session.objects.filter(user_id=user.pk).count() == 1
    client.logout()
    assert Session.objects.filter(user_id=user.pk).count() == 0
