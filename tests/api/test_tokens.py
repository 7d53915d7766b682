"""Tokens: created shown once and stored hashed, revoked → 401, last_used_at kept, no session auth."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from gonghui.api.models import ApiToken
from gonghui.api.services import token_create, token_revoke
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError

UNAUTHORIZED = {"code": "unauthorized", "message": "未认证：请在 Authorization 头中提供有效的 API 令牌（Bearer）", "field": None}


def bearer(token: str) -> Client:
    return Client(headers={"authorization": f"Bearer {token}"})


def test_it_stores_only_the_hash_and_a_prefix_and_audits_creation(world) -> None:
    admin, cadre = world.users["org_admin"], world.users["cadre"]
    token, plaintext = token_create(actor=admin, user=cadre, name="  名册同步  ")
    assert len(plaintext) == 43  # token_urlsafe(32)
    row = ApiToken.objects.get()
    assert (row.user, row.name, row.prefix, row.token_hash) == (cadre, "名册同步", plaintext[:8], hashlib.sha256(plaintext.encode()).hexdigest())
    assert (row.last_used_at, row.revoked_at) == (None, None)
    e = AuditEvent.objects.get(action="api.token_create")
    assert (e.actor_id, e.target_type, e.target_id, e.data) == (
        admin.pk,
        "api.apitoken",
        token.pk,
        {"user": cadre.pk, "name": "名册同步", "prefix": plaintext[:8]},
    )
    assert plaintext not in str(list(AuditEvent.objects.values_list()))


def test_it_refuses_a_blank_name(world) -> None:
    with pytest.raises(ServiceError) as e:
        token_create(actor=None, user=world.users["cadre"], name=" ")
    assert (e.value.message, e.value.field) == ("请填写令牌名称", "name")
    assert ApiToken.objects.count() == 0


def test_it_answers_401_json_without_a_valid_token(world) -> None:
    for client in (Client(), bearer("not-a-token"), Client(headers={"authorization": "Basic Zm9vOmJhcg=="})):
        r = client.get("/api/v1/me")
        assert (r.status_code, r.json(), r["WWW-Authenticate"]) == (401, UNAUTHORIZED, 'Bearer realm="api"')


def test_it_ignores_the_session_cookie(world, as_user) -> None:
    client = as_user("fed_admin")  # logged in to the pages
    r = client.get("/api/v1/me")
    assert (r.status_code, r.json()) == (401, UNAUTHORIZED)


def test_it_authenticates_as_the_tokens_user(world) -> None:
    _, plaintext = token_create(actor=None, user=world.users["cadre"], name="t")
    r = bearer(plaintext).get("/api/v1/me")
    cadre = world.users["cadre"]
    assert r.status_code == 200
    assert r.json() == {
        "id": cadre.pk,
        "username": "cadre",
        "display_name": "",
        "person_id": None,
        "grants": [{"role": "cadre", "org_id": world.city_a1.pk, "alliance_id": None}],
    }


def test_a_revoked_token_answers_401_and_revoking_is_audited(world) -> None:
    token, plaintext = token_create(actor=None, user=world.users["cadre"], name="t")
    assert bearer(plaintext).get("/api/v1/me").status_code == 200
    token_revoke(actor=world.users["org_admin"], token=token)
    r = bearer(plaintext).get("/api/v1/me")
    assert (r.status_code, r.json()) == (401, UNAUTHORIZED)
    e = AuditEvent.objects.get(action="api.token_revoke")
    assert (e.actor_id, e.target_id) == (world.users["org_admin"].pk, token.pk)
    with pytest.raises(ServiceError):
        token_revoke(actor=None, token=token)


def test_a_deactivated_users_token_answers_401(world) -> None:
    _, plaintext = token_create(actor=None, user=world.users["cadre"], name="t")
    world.users["cadre"].is_active = False
    world.users["cadre"].save(update_fields=["is_active"])
    assert bearer(plaintext).get("/api/v1/me").status_code == 401


def test_it_records_last_use_at_most_once_a_minute(world) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        token, plaintext = token_create(actor=None, user=world.users["cadre"], name="t")
        bearer(plaintext).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, 59, tzinfo=dt.UTC), tick=False):
        bearer(plaintext).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 1, 30, tzinfo=dt.UTC), tick=False):
        bearer(plaintext).get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == dt.datetime(2026, 3, 1, 9, 1, 30, tzinfo=dt.UTC)


def test_the_command_prints_a_working_token_once(world) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "viewer", "报表", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (world.users["viewer"], "报表", plaintext[:8])
    assert plaintext not in err.getvalue()
    assert bearer(plaintext).get("/api/v1/me").json()["username"] == "viewer"
