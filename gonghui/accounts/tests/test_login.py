from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import get_hasher

from gonghui.accounts.models import LoginAttempt, User
from gonghui.audit.models import AuditEvent

PASSWORD = "Lianghao-mima-2026"
T0 = dt.datetime(2026, 5, 14, 9, 0, tzinfo=dt.UTC)


def make(db) -> User:
    return User.objects.create_user(username="liu_xianjun", password=PASSWORD)


def post(client, password: str):
    return client.post("/accounts/login/", {"username": "liu_xianjun", "password": password})


def test_passwords_are_hashed_with_argon2(db) -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make(db).password.startswith("argon2$argon2id$")
    assert get_hasher().algorithm == "argon2"


def test_it_locks_the_account_after_5_failures_in_15_minutes_then_unlocks(db, client) -> None:
    user = make(db)
    with time_machine.travel(T0, tick=False) as t:
        for _ in range(4):
            assert "用户名或密码不正确" in post(client, "wrong").content.decode()
            t.shift(dt.timedelta(seconds=30))
        assert "临时锁定" in post(client, "wrong").content.decode()  # the 5th failure locks
        r = post(client, PASSWORD)  # right password, still locked
        assert r.status_code == 200 and "临时锁定" in r.content.decode()
        assert "_auth_user_id" not in client.session
        t.shift(dt.timedelta(minutes=16))
        r = post(client, PASSWORD)
        assert r.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    # the attempt made while locked is audited but not counted
    assert list(LoginAttempt.objects.order_by("at", "id").values_list("success", flat=True)) == [False] * 5 + [True]
    assert AuditEvent.objects.filter(action="accounts.login_failed", actor_id=user.pk).count() == 5
    assert AuditEvent.objects.filter(action="accounts.login_locked").count() == 1
    assert AuditEvent.objects.filter(action="accounts.login", actor_id=user.pk).count() == 1


def test_lockout_is_per_account_not_per_address(db, client) -> None:
    make(db)
    User.objects.create_user(username="colleague", password=PASSWORD)
    with time_machine.travel(T0, tick=False):
        for _ in range(5):
            post(client, "wrong")
        # same factory address, another account: not locked
        r = client.post("/accounts/login/", {"username": "colleague", "password": PASSWORD})
        assert r.status_code == 302


def test_failures_spread_over_more_than_15_minutes_do_not_lock(db, client) -> None:
    make(db)
    with time_machine.travel(T0, tick=False) as t:
        for _ in range(6):
            post(client, "wrong")
            t.shift(dt.timedelta(minutes=4))
        assert post(client, PASSWORD).status_code == 302


def test_login_rotates_the_session_key(db, client) -> None:
    make(db)
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    post(client, PASSWORD)
    assert client.session.session_key != before


def test_the_session_ends_after_8_hours_however_active(db, client) -> None:
    make(db)
    with time_machine.travel(T0, tick=False) as t:
        post(client, PASSWORD)
        for _ in range(16):
            t.shift(dt.timedelta(minutes=29))
            assert client.get("/").status_code == 200
        t.shift(dt.timedelta(minutes=29))  # 8 h 3 min after login
        r = client.get("/orgs/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_the_next_parameter_cannot_redirect_off_site(db, client) -> None:
    make(db)
    r = client.post("/accounts/login/?next=https://evil.example/", {"username": "liu_xianjun", "password": PASSWORD})
    assert r["Location"] == "/"


def test_an_idle_session_ends_after_30_minutes_and_activity_keeps_it(db, client) -> None:
    make(db)
    with time_machine.travel(T0, tick=False) as t:
        post(client, PASSWORD)
        for _ in range(3):  # active every 20 minutes for an hour: still logged in
            t.shift(dt.timedelta(minutes=20))
            assert client.get("/orgs/").status_code == 200
        t.shift(dt.timedelta(minutes=31))  # then idle for 31 minutes
        r = client.get("/orgs/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_page_views_do_not_write_the_session_each_time(db, client) -> None:
    make(db)
    post(client, PASSWORD)
    client.get("/orgs/")  # refreshes the session once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get("/orgs/")
    assert [q["sql"] for q in ctx.captured_queries if "accounts_usersession" in q["sql"] and not q["sql"].startswith("SELECT")] == []


def test_trying_during_a_lock_does_not_extend_it(db, client) -> None:
    make(db)
    with time_machine.travel(T0, tick=False) as t:
        for _ in range(5):
            post(client, "wrong")
        for _ in range(3):  # someone keeps trying every 4 minutes
            t.shift(dt.timedelta(minutes=4))
            assert "临时锁定" in post(client, "wrong").content.decode()
        t.shift(dt.timedelta(minutes=4))  # 16 minutes after the 5th failure: the lock has ended
        assert post(client, PASSWORD).status_code == 302
