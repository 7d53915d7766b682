"""Runs tests/authz/matrix.txt: every URL × role × relation to the target, expected status.

Denied writes (403/404, and anon's redirect) must leave every table exactly as it was, audit
trail included. Rows of the API (``api-v1:*``) authenticate with a Bearer token of the role's
user (anon sends none and gets 401), send JSON bodies, and use the row's method; a GET row's
payload is its query string. A URL missing from the matrix, or a (URL, method) without a row
for every role, fails the coverage test: new endpoints are unclassified until someone writes
their rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from gonghui.accounts.models import RoleGrant, UserSession
from gonghui.alliances import services as alliance_services
from gonghui.alliances.models import AllianceMember
from gonghui.api.models import ApiToken
from gonghui.api.services import token_create
from gonghui.imports.models import ImportJob
from gonghui.people import services as people_services
from gonghui.people.models import Membership
from tests.factories import L, make_org, make_user, new_id, roll_row, xlsx_bytes

ROLES = ("fed_admin", "org_admin", "cadre", "viewer", "coord", "worker", "anon")
RELATIONS = ("own", "sibling", "ancestor", "other")


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    role: str
    relation: str | None  # None: the URL has no target object
    expected: int

    def __str__(self) -> str:
        return f"{self.name} {self.method} {self.role} {self.relation or ''}".strip()


HERE = Path(__file__).parent
# Each later app writes its rows in its own file (matrix_<app>.txt) and its target builders in
# targets_<app>.py (a ``build(targets, name)`` returning ``(kwargs, payload)`` or None).
MATRIX_FILES = [HERE / "matrix.txt", *sorted(HERE.glob("matrix_*.txt"))]
BUILDERS = [importlib.import_module(f"tests.authz.{p.stem}") for p in sorted(HERE.glob("targets_*.py"))]


def load_matrix() -> list[Row]:
    rows = []
    lines = [line for f in MATRIX_FILES for line in f.read_text().splitlines()]
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        name, method, role, *cells = line.split()
        if cells[1:] == ["-", "-", "-"]:
            rows.append(Row(name, method, role, None, int(cells[0])))
        else:
            rows.extend(Row(name, method, role, rel, int(c)) for rel, c in zip(RELATIONS, cells, strict=True))
    return rows


MATRIX = load_matrix()


def url_names(patterns: list[Any] | None = None, ns: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            names |= url_names(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            assert p.name, f"URL pattern {p.pattern} has no name: it cannot be classified"
            names.add(ns + p.name)
    return names


def test_every_url_pattern_is_in_the_matrix() -> None:
    in_matrix = {r.name for r in MATRIX}
    assert url_names() - in_matrix == set(), "URLs missing from tests/authz/matrix.txt"
    assert in_matrix - url_names() == set(), "matrix rows for URLs that no longer exist"


def test_every_url_and_method_has_a_row_for_every_role() -> None:
    seen: dict[tuple[str, str], set[str]] = {}
    for r in MATRIX:
        seen.setdefault((r.name, r.method), set()).add(r.role)
    missing = {k: sorted(set(ROLES) - v) for k, v in seen.items() if set(ROLES) - v}
    assert missing == {}


class Targets:
    """Builds the target object and a valid payload for a URL in a relation to the personas."""

    def __init__(self, world: Any, relation: str) -> None:
        self.w, self.rel = world, relation
        self.org = world.org_for(relation)
        self.person = world.people[relation]

    def alliance(self) -> Any:
        w = self.w
        if self.rel == "own":
            return w.alliance
        if self.rel == "other":
            alliance_services.alliance_member_join(actor=None, alliance=w.alliance_b, org=w.unit_b, joined_on=dt.date(2021, 1, 1))
            return w.alliance_b
        host = w.city_a2 if self.rel == "sibling" else w.prov_a
        a = alliance_services.alliance_create(actor=None, host_org=host, name=f"{host.name}联盟")
        alliance_services.alliance_member_join(actor=None, alliance=a, org=host, joined_on=dt.date(2021, 1, 1))
        return a

    def empty_org(self) -> Any:
        if self.rel == "ancestor":
            return self.w.prov_a
        return make_org(self.org, "待撤销工会", L.GRASSROOTS)

    def build(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        w, org, person = self.w, self.org, self.person
        org_kw = {"org_id": org.pk}
        match name:
            case "web:switch_scope":
                return {}, {"org": org.pk}
            case "accounts:users":
                make_user("grantee")
                return org_kw, {"username": "grantee", "role": "viewer"}
            case "accounts:revoke":
                g = RoleGrant.objects.create(user=make_user("held"), role="viewer", org=org, granted_at=timezone.now())
                return {"pk": g.pk}, {}
            case "orgs:detail" | "orgs:children":
                return {"pk": org.pk}, {}
            case "orgs:create":
                return {"pk": org.pk}, {"name": "新建工会", "level": "grassroots", "org_type": "single", "region_code": "340100"}
            case "orgs:edit":
                return {"pk": org.pk}, {"name": org.name + "（更名）", "level": org.level, "org_type": org.org_type, "region_code": org.region_code}
            case "orgs:move":
                dest = make_org(w.city_a1, "目标街道总工会", L.TOWN, org_type="town")
                return {"pk": org.pk}, {"target_code": dest.code, "reason": "区划调整"}
            case "orgs:close":
                return {"pk": self.empty_org().pk}, {"closed_on": "2026-01-01", "reason": "单位注销"}
            case "people:roll" | "people:roll_export":
                return org_kw, {}
            case "people:register":
                return org_kw, {"name": "新会员", "id_number": new_id(), "phone": "", "membership_status": "active"}
            case "people:transfer_request":
                mover = w.people["other" if self.rel == "own" else "own"]
                return org_kw, {"id_number": mover.id_number(), "note": ""}
            case "people:detail" | "people:rejoin":
                return {"pk": person.pk}, {}
            case "people:edit":
                return {"pk": person.pk}, {"name": "改名", "phone": ""}
            case "people:reveal":
                return {"pk": person.pk}, {"field": "id_number"}
            case "people:transition":
                return {"pk": Membership.objects.get(person=person).pk}, {"to_status": "retained", "reason": "退休"}
            case "people:transfer_decide":
                to_org = w.unit_a2 if self.rel == "other" else w.unit_b
                tr = people_services.transfer_request(actor=make_user("requester"), id_number=person.id_number(), to_org=to_org)
                return {"pk": tr.pk}, {"decision": "approve", "note": ""}
            case "alliances:detail":
                return {"pk": self.alliance().pk}, {}
            case "alliances:charter":
                return {"pk": self.alliance().pk}, {"purpose": "服务职工", "mechanisms": "轮值机制\n联席会议机制", "platforms": "", "brands": ""}
            case "alliances:member_join":
                return {"pk": self.alliance().pk}, {"org": w.prov_b.code, "joined_on": "2021-01-01"}
            case "alliances:seat_add":
                return {"pk": self.alliance().pk}, {"role": "chair", "person": w.people["own"].id_number(), "term_start": "2021-01-01"}
            case "alliances:member_leave":
                member = AllianceMember.objects.filter(alliance=self.alliance(), left_on__isnull=True).first()
                return {"pk": member.pk}, {"left_on": "2026-01-01"}
            case "alliances:create":
                return org_kw, {"name": "新工会联盟", "description": ""}
            case "imports:new":
                return org_kw, {"kind": "people", "file": SimpleUploadedFile("名册.xlsx", xlsx_bytes([roll_row("新会员", new_id(), org.code)]))}
            case "imports:job" | "imports:apply" | "imports:errors":
                job = ImportJob.objects.create(
                    kind="people", org=org, created_by=w.users["cadre"], filename="名册.xlsx", file="imports/x.xlsx", status="valid"
                )
                job.error_report.save("errors.xlsx", ContentFile(xlsx_bytes([])))
                return {"pk": job.uid}, {}
            # API v1: path kwargs, and the JSON body (or, for GET, the query string)
            case "api-v1:org_list":
                return {}, {"parent_id": org.pk}
            case "api-v1:org_create":
                return {}, {"parent_id": org.pk, "name": "新建工会", "level": "grassroots", "org_type": "single", "region_code": "340100"}
            case "api-v1:org_detail":
                return {"org_id": org.pk}, {}
            case "api-v1:org_update":
                return {"org_id": org.pk}, {"name": org.name + "（更名）"}
            case "api-v1:org_move":
                dest = make_org(w.city_a1, "目标街道总工会", L.TOWN, org_type="town")
                return {"org_id": org.pk}, {"new_parent_id": dest.pk, "reason": "区划调整"}
            case "api-v1:org_close":
                return {"org_id": self.empty_org().pk}, {"closed_on": "2026-01-01", "reason": "单位注销"}
            case "api-v1:person_list":
                return {}, {"org_id": org.pk}
            case "api-v1:person_create":
                return {}, {"org_id": org.pk, "name": "新会员", "id_number": new_id()}
            case "api-v1:person_detail":
                return {"person_id": person.pk}, {}
            case "api-v1:person_update":
                return {"person_id": person.pk}, {"name": "改名"}
            case "api-v1:person_rejoin":
                m = Membership.objects.get(person=person)
                people_services.membership_transition(actor=None, membership=m, to_status="withdrawn", reason="离职")
                return {"person_id": person.pk}, {}
            case "api-v1:membership_list":
                return {}, {"person_id": person.pk}
            case "api-v1:membership_transition":
                return {"membership_id": Membership.objects.get(person=person).pk}, {"to_status": "retained", "reason": "退休"}
            case "api-v1:alliance_create":
                return {}, {"host_org_id": org.pk, "name": "新工会联盟"}
            case "api-v1:alliance_detail":
                return {"alliance_id": self.alliance().pk}, {}
            case "api-v1:alliance_update":
                return {"alliance_id": self.alliance().pk}, {"purpose": "服务职工", "mechanisms": ["轮值机制", "联席会议机制"]}
            case "api-v1:alliance_member_join":
                return {"alliance_id": self.alliance().pk}, {"org_code": w.prov_b.code, "joined_on": "2021-01-01"}
            case "api-v1:alliance_member_leave":
                member = AllianceMember.objects.filter(alliance=self.alliance(), left_on__isnull=True).first()
                return {"alliance_id": member.alliance_id, "member_id": member.pk}, {"left_on": "2026-01-01"}
        for builder in BUILDERS:
            built = builder.build(self, name)
            if built is not None:
                return built
        raise AssertionError(f"no target builder for {name}")


STATIC_KWARGS = {"imports:template": {"kind": "people"}}
STATIC_PAYLOADS = {
    "set_language": {"language": "en", "next": "/"},
    "accounts:login": {"username": "someone", "password": "wrong-password-1"},
}
for _b in BUILDERS:
    STATIC_KWARGS |= getattr(_b, "STATIC_KWARGS", {})
    STATIC_PAYLOADS |= getattr(_b, "STATIC_PAYLOADS", {})


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but sessions (a request may refresh its own session) and the
    tokens' last_used_at (an authenticated request refreshes it, whatever it is refused)."""
    rows = {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in apps.get_models() if m not in (Session, UserSession, ApiToken)}
    rows["api.ApiToken"] = list(ApiToken.objects.order_by("pk").values_list("pk", "user", "name", "prefix", "token_hash", "created_at", "revoked_at"))
    return rows


def api_client(world: Any, role: str) -> Client:
    """The API as a client program uses it: a Bearer token of the role's user (none for anon)."""
    if role == "anon":
        return Client()
    _, plaintext = token_create(actor=None, user=world.users[role], name="matrix")
    return Client(headers={"authorization": f"Bearer {plaintext}"})


def api_call(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url, payload)
    return client.generic(method, url, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize("row", MATRIX, ids=str)
def test_matrix(row: Row, world: Any, as_user: Any) -> None:
    if row.relation is None:
        kwargs, payload = STATIC_KWARGS.get(row.name, {}), STATIC_PAYLOADS.get(row.name, {})
    else:
        kwargs, payload = Targets(world, row.relation).build(row.name)
    url = reverse(row.name, kwargs=kwargs)
    if row.name.startswith("api-v1:"):
        client = api_client(world, row.role)
        denied_write = row.method != "GET" and row.expected in (401, 403, 404)
        before = snapshot() if denied_write else None
        response = api_call(client, row.method, url, payload)
        assert response.status_code == row.expected, f"{row}: got {response.status_code} {response.content[:200]!r}"
        if denied_write:
            assert snapshot() == before, f"{row}: a denied request changed the database"
        return
    client = as_user(row.role)
    denied_write = row.method == "POST" and (
        row.expected in (403, 404) or (row.role == "anon" and row.name not in STATIC_PAYLOADS | {"set_language": 0, "accounts:logout": 0})
    )
    before = snapshot() if denied_write else None
    response = client.post(url, payload) if row.method == "POST" else client.get(url)
    assert response.status_code == row.expected, f"{row}: got {response.status_code}"
    if row.role == "anon" and row.expected == 302:
        assert response["Location"].startswith("/accounts/login/") or row.name in ("set_language", "accounts:logout")
    if denied_write:
        assert snapshot() == before, f"{row}: a denied request changed the database"
