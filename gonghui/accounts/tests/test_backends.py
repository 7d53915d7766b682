"""The session store, user backend and grants read by cursor keep Django's rules."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

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
