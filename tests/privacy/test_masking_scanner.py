"""Crawl every page reachable by a role that may not reveal, and find no full ID or phone number.

The crawl follows every same-site link and htmx GET target from the home page, and also opens
each person's detail page directly. It checks both the exact numbers of every person on record
and anything shaped like one (18-character ID, 11-digit mobile).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import deque
from html.parser import HTMLParser

import pytest

from gonghui.people.models import Person
from tests.factories import make_person

ID_SHAPE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
PHONE_SHAPE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
SKIP = ("/accounts/logout/", "/i18n/", "/static/")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "hx-get") and value and value.startswith("/"):
                self.found.append(value.split("#")[0])


def body_text(response) -> str:
    """An HTML page as text; an exported workbook as the XML of its sheets (exports are scanned too)."""
    if response["Content-Type"].startswith("text/html"):
        return response.content.decode()
    if "spreadsheetml" in response["Content-Type"]:
        data = b"".join(response.streaming_content) if response.streaming else response.content
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    return ""


def crawl(client, start: list[str], limit: int = 400) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        r = client.get(url)
        seen[url] = body_text(r) if r.status_code == 200 else ""
        parser = Links()
        parser.feed(seen[url])
        queue.extend(u for u in parser.found if u not in seen)
    return seen


def activity_work(world) -> None:  # type: ignore[no-untyped-def]
    """Records on the activity pages: an activity with a registration and check-ins, a walk-in,
    a rotation plan, a two-batch training plan and a campaign, so the crawl meets names there."""
    import datetime as dt

    from gonghui.activities import checkin
    from gonghui.activities import services as activities
    from gonghui.activities.tests.helpers import make_activity
    from gonghui.alliances import services as alliance_services
    from gonghui.reports import services as reports
    from gonghui.training import services as training
    from gonghui.training.services import StaffEntry

    a = make_activity(world.city_a1, title="普法宣传")
    s = a.sessions.get()
    own = world.people["own"]
    activities.registration_create(actor=None, session=s, person=own)
    checkin.checkin_record(actor=None, session=s, person=own, method="poster")
    checkin.checkin_record(actor=world.users["cadre"], session=s, person=make_person(world.unit_a1, "扫码人"), method="scanner")
    checkin.walkin_record(actor=None, session=s, count=5)
    alliance_services.rotation_generate(actor=None, alliance=world.alliance, start=dt.date(2026, 1, 1), periods=2, period_kind="month")
    staff = [StaffEntry(own, "办公室"), StaffEntry(make_person(world.unit_a1, "培训人"), "办公室")]
    training.plan_create(actor=None, org=world.unit_a1, title="安全培训", batches=2, staff=staff, source="upload")
    reports.campaign_create(
        actor=None, org=world.city_a1, name="红色电影进企业", unit="sessions", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )


def hardship_work(world) -> list[str]:  # type: ignore[no-untyped-def]
    """Household files (困难职工帮扶): one on record with a bank account, one a draft (its edit page
    is linked). Returns the household's numbers the pages must not show in full."""
    from gonghui.hardship.models import HardshipFile, HouseholdMember
    from tests.authz.targets_hardship import file_in_state

    file_in_state(world, world.unit_a1, make_person(world.unit_a1, "帮扶户主"), "active", bank_account="6222021001123456789")
    file_in_state(world, world.unit_a1, make_person(world.unit_a1, "草稿户主"), "draft")
    return [m.id_number() for m in HouseholdMember.objects.all()] + [f.bank_account() for f in HardshipFile.objects.exclude(bank_cipher="")]


@pytest.mark.parametrize("role", ["org_admin", "cadre", "viewer", "coord", "worker"])
def test_no_page_shows_a_full_id_or_phone_number(world, as_user, role) -> None:
    # people with awkward numbers: an X check digit and a phone that looks like part of an ID
    make_person(world.unit_a1, "带X证件", phone="13912345678")
    activity_work(world)
    household = hardship_work(world)
    client = as_user(role)
    starts = ["/", "/orgs/", "/alliances/", "/people/transfers/", "/me/"] + [f"/people/{p.pk}/" for p in Person.objects.all()]
    pages = crawl(client, starts)
    secrets = [s for p in Person.objects.all() for s in (p.id_number(), p.phone()) if s] + household
    for url, html in pages.items():
        for s in secrets:
            assert s not in html, f"{role} sees a full number on {url}"
        assert ID_SHAPE.findall(html) == [], f"{role}: ID-shaped text on {url}"
        assert PHONE_SHAPE.findall(html) == [], f"{role}: phone-shaped text on {url}"
    shown = {u for u, h in pages.items() if h}
    if role in ("org_admin", "cadre", "viewer"):
        # the crawl really reached the pages that list and show people
        assert f"/orgs/{world.city_a1.pk}/roll/" in shown
        assert f"/people/{world.people['own'].pk}/" in shown
        assert any("***********" in pages[u] for u in shown)
        assert f"/orgs/{world.city_a1.pk}/roll/export.xlsx" in shown  # the export was opened and scanned
        # and the activity work: an activity's page, its check-in list, a training plan, the statistics
        assert any(u.startswith("/activities/") and u.rstrip("/").split("/")[-1].isdigit() for u in shown)
        assert any(u.endswith("/checkins/") for u in shown)
        assert any(u.startswith("/training/") for u in shown), sorted(shown)
        assert f"/orgs/{world.city_a1.pk}/reports/" in shown
        # and the hardship files: the list, a file's page, the standards and conflicts pages
        assert f"/orgs/{world.city_a1.pk}/hardship/" in shown
        assert any(u.startswith("/hardship/files/") and u.endswith("/") and u.split("/")[-2].isdigit() for u in shown), sorted(shown)
        assert {"/hardship/standards/", "/hardship/conflicts/"} <= shown
        if role != "viewer":  # the draft's edit page, with the household's rows
            assert any(u.startswith("/hardship/files/") and u.endswith("/edit/") for u in shown)
    if role == "worker":
        assert "/me/" in shown and f"/people/{world.people['own'].pk}/" in shown


def test_the_reveal_response_is_the_only_place_a_full_number_appears(world, as_user) -> None:
    client = as_user("fed_admin")  # holds can_reveal
    person = world.people["own"]
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert person.id_number() not in page
    r = client.post(f"/people/{person.pk}/reveal/", {"field": "id_number"})
    assert r.status_code == 200 and person.id_number() in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    from gonghui.audit.models import AuditEvent

    e = AuditEvent.objects.get(action="people.reveal")
    assert (e.actor_id, e.target_id, e.data) == (world.users["fed_admin"].pk, person.pk, {"field": "id_number"})


def crawl_api(client, starts: list[str], limit: int = 600) -> dict[str, str]:
    """GET every API list (all pages, two items a page) and the detail of every item listed."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    detail_of = {"orgs": "/api/v1/orgs/{}", "alliances": "/api/v1/alliances/{}"}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        r = client.get(url)
        seen[url] = r.content.decode() if r.status_code == 200 else ""
        if r.status_code != 200:
            continue
        data = r.json()
        if "items" in data:
            if data["next_cursor"]:
                base = url.split("cursor=")[0].rstrip("&")
                queue.append(f"{base}{'&' if '?' in base else '?'}cursor={data['next_cursor']}")
            kind = url.split("?")[0].rsplit("/", 1)[-1]
            for item in data["items"]:
                if kind in detail_of:
                    queue.append(detail_of[kind].format(item["id"]))
                if kind in ("people", "memberships"):
                    person_id = item.get("person_id") or item["id"]
                    queue.append(f"/api/v1/people/{person_id}")
                    queue.append(f"/api/v1/memberships?person_id={person_id}&limit=2")
                if kind == "orgs":
                    queue.append(f"/api/v1/people?org_id={item['id']}&status=all&limit=2")
                    queue.append(f"/api/v1/memberships?org_id={item['id']}&limit=2")
    return seen


@pytest.mark.parametrize("role", ["fed_admin", "org_admin", "cadre", "viewer", "coord", "worker"])
def test_no_api_response_shows_a_full_id_or_phone_number_or_birth_date(world, role) -> None:
    # fed_admin may reveal in the pages, but the API never reveals: it is scanned too.
    from django.test import Client

    from gonghui.api.services import token_create

    make_person(world.unit_a1, "带X证件", phone="13912345678")
    make_person(world.city_a1, "市总工会会员")  # three people in scope: the roll has a second page
    _, token = token_create(actor=None, user=world.users[role], name="scanner")
    client = Client(headers={"authorization": f"Bearer {token}"})
    starts = ["/api/v1/me", "/api/v1/orgs?limit=2", "/api/v1/people?limit=2", "/api/v1/memberships?limit=2", "/api/v1/alliances?limit=2"]
    starts += [f"/api/v1/people/{p.pk}" for p in Person.objects.all()]
    responses = crawl_api(client, starts)
    secrets = [s for p in Person.objects.all() for s in (p.id_number(), p.phone()) if s]
    birth_dates = [p.birth_date.isoformat() for p in Person.objects.all()]
    for url, body in responses.items():
        for s in secrets:
            assert s not in body, f"{role} sees a full number at {url}"
        assert ID_SHAPE.findall(body) == [], f"{role}: ID-shaped text at {url}"
        assert PHONE_SHAPE.findall(body) == [], f"{role}: phone-shaped text at {url}"
        assert "birth_date" not in body and not any(d in body for d in birth_dates), f"{role}: a birth date at {url}"
    shown = {u for u, b in responses.items() if b}
    own = world.people["own"]
    if role in ("fed_admin", "org_admin", "cadre", "viewer"):
        # the crawl really reached the lists and details that show people, page after page
        assert f"/api/v1/people/{own.pk}" in shown
        assert f"/api/v1/people?org_id={world.city_a1.pk}&status=all&limit=2" in shown
        assert any("cursor=" in u for u in shown if u.startswith("/api/v1/people?"))
        assert own.id_masked in responses[f"/api/v1/people/{own.pk}"]
    if role == "worker":
        assert f"/api/v1/people/{own.pk}" in shown
    if role == "coord":
        assert f"/api/v1/alliances/{world.alliance.pk}" in shown
        assert not any(u.startswith("/api/v1/people/") for u in shown)
