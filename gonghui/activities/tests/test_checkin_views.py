"""The check-in pages: poster, the worker's scan, the scanner's sync endpoint, walk-ins, the list."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from gonghui.activities import checkin, codes
from gonghui.activities.models import CheckIn, WalkIn
from gonghui.activities.tests.test_checkin_services import make_session
from tests.factories import make_person

ID_SHAPE = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
PHONE_SHAPE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def session(world):
    return make_session(world.city_a1)


def scan_url(session) -> str:
    return reverse("checkin:scan", kwargs={"pk": session.pk, "token": codes.poster_token(session)})


def sync(client, session, scans):
    r = client.post(reverse("checkin:sync", kwargs={"pk": session.pk}), json.dumps({"scans": scans}), content_type="application/json")
    return r.status_code, r.json()


def test_it_shows_a_printable_poster_with_the_scan_url_as_qr(as_user, session) -> None:
    r = as_user("cadre").get(reverse("checkin:poster", kwargs={"pk": session.pk}))
    html = r.content.decode()
    assert r.status_code == 200
    assert "职工技能大赛" in html and "职工之家二楼" in html
    assert html.count('<svg viewBox="0 0') == 1
    assert "activities/checkin.css" in html
    assert " style=" not in html  # the CSP allows no inline styles


def test_it_checks_the_worker_in_from_the_poster_once(as_user, world, session) -> None:
    client = as_user("worker")
    url = scan_url(session)
    page = client.get(url).content.decode()
    assert "确认签到" in page and "职工技能大赛" in page
    r = client.post(url, follow=True)
    assert "签到成功" in r.content.decode() and "您已签到（" in r.content.decode()
    r2 = client.post(url, follow=True)
    assert '<li class="success">您已签到</li>' in r2.content.decode()
    assert list(CheckIn.objects.values_list("person_id", "method")) == [(world.people["own"].pk, "poster")]


def test_it_sends_an_anonymous_scan_to_login_and_back(client, session) -> None:
    url = scan_url(session)
    r = client.get(url)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/?next=/checkin/")


@pytest.mark.parametrize(
    ("token", "message"),
    [("bad:token:sig", "二维码无效，请扫描现场的签到海报")],
)
def test_it_refuses_a_forged_poster_on_the_phone(as_user, session, token, message) -> None:
    client = as_user("worker")
    url = reverse("checkin:scan", kwargs={"pk": session.pk, "token": token})
    assert message in client.get(url).content.decode()
    assert message in client.post(url).content.decode()
    assert CheckIn.objects.count() == 0


def test_it_refuses_the_poster_of_another_session(as_user, world, session) -> None:
    other = make_session(world.city_a1, title="另一个活动")
    url = reverse("checkin:scan", kwargs={"pk": session.pk, "token": codes.poster_token(other)})
    assert "二维码不属于本场次，请扫描本场次的签到海报" in as_user("worker").post(url).content.decode()
    assert CheckIn.objects.count() == 0


def test_it_syncs_queued_scans_idempotently(as_user, world, session) -> None:
    client = as_user("cadre")
    people = [world.people["own"], make_person(world.unit_a1, "李四"), make_person(world.unit_a1, "欧阳娜娜")]
    scans = [{"code": codes.member_code(p), "nonce": f"n-{i}", "at": None} for i, p in enumerate(people)]
    scans.append({"code": codes.member_code(people[0]), "nonce": "n-9"})  # scanned twice
    scans.append({"code": "forged", "nonce": "n-8"})
    status, body = sync(client, session, scans)
    assert status == 200
    assert [(r["nonce"], r["status"]) for r in body["results"]] == [
        ("n-0", "created"),
        ("n-1", "created"),
        ("n-2", "created"),
        ("n-9", "duplicate"),
        ("n-8", "refused"),
    ]
    assert [r.get("name") for r in body["results"]] == ["o****", "李*", "欧***", "o****", None]
    assert body["results"][4]["message"] == "会员码无效，请职工打开“我的”页面出示会员码"
    assert checkin.session_figures(session) == {"people": 3, "walkins": 0, "attendance": 3}
    # the whole batch again (the answer was lost): same outcomes, no new rows
    _, again = sync(client, session, scans)
    assert [r["status"] for r in again["results"]] == ["created", "created", "created", "duplicate", "refused"]
    assert CheckIn.objects.count() == 3


@pytest.mark.parametrize("pk", ["99999999999999999999", "0", "987654321"])
def test_a_sync_to_a_session_that_cannot_exist_is_not_found(as_user, world, pk) -> None:
    body = json.dumps({"scans": [{"code": codes.member_code(world.people["own"]), "nonce": "n-1"}]})
    r = as_user("cadre").post(f"/sessions/{pk}/checkins/sync/", body, content_type="application/json")
    assert (r.status_code, CheckIn.objects.count()) == (404, 0)


def test_it_accepts_one_scan_as_form_fields(as_user, world, session) -> None:
    r = as_user("cadre").post(reverse("checkin:sync", kwargs={"pk": session.pk}), {"code": codes.member_code(world.people["own"]), "nonce": "n-1"})
    assert r.json()["results"][0]["status"] == "created"
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("body", ["not json", json.dumps({"scans": "x"}), json.dumps({"scans": [{}] * 201}), json.dumps([1])])
def test_it_refuses_a_malformed_sync_body(as_user, session, body) -> None:
    r = as_user("cadre").post(reverse("checkin:sync", kwargs={"pk": session.pk}), body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["error"] == "请求格式不正确：应为 {scans: [...]}，每次最多 200 条"
    assert CheckIn.objects.count() == 0


def test_it_records_a_walkin_from_the_form(as_user, session) -> None:
    client = as_user("cadre")
    r = client.post(reverse("checkin:walkin", kwargs={"pk": session.pk}), {"count": "7", "note": "未带手机"})
    assert r.status_code == 302
    assert list(WalkIn.objects.values_list("count", "note")) == [(7, "未带手机")]
    client.post(reverse("checkin:walkin", kwargs={"pk": session.pk}), {"count": "0"})
    assert WalkIn.objects.count() == 1


def test_it_lists_checkins_masked_with_counts(as_user, world, session, django_assert_max_num_queries) -> None:
    person = make_person(world.unit_a1, "王小明", phone="13912345678")
    checkin.checkin_record(actor=None, session=session, person=person, method="manual")
    checkin.checkin_record(actor=None, session=session, person=world.people["own"], method="manual")
    checkin.walkin_record(actor=None, session=session, count=5)
    client = as_user("viewer")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("checkin:list", kwargs={"pk": session.pk})).content.decode()
    assert "王**" in html and "王小明" not in html
    assert re.search(r'data-testid="people">2<', html) and re.search(r'data-testid="attendance">7<', html)
    assert ID_SHAPE.findall(html) == [] and PHONE_SHAPE.findall(html) == []
    assert "扫会员码签到" not in html  # a viewer cannot operate


def test_it_shows_the_member_code_on_my_page(as_user, world) -> None:
    html = as_user("worker").get(reverse("web:me")).content.decode()
    assert 'data-testid="member-code"' in html and html.count("<svg") == 1
    assert world.people["own"].id_number() not in html
    assert ID_SHAPE.findall(html) == [] and PHONE_SHAPE.findall(html) == []


def test_it_rotates_the_key_and_the_old_poster_stops_working(as_user, world, session) -> None:
    old = scan_url(session)
    r = as_user("cadre").post(reverse("checkin:rotate", kwargs={"pk": session.pk}))
    assert r.status_code == 302
    assert "二维码已过期，请扫描现场最新的签到海报" in as_user("worker").post(old).content.decode()
    assert CheckIn.objects.count() == 0


def test_it_serves_the_scanner_with_its_script_and_no_inline_code(as_user, session) -> None:
    html = as_user("cadre").get(reverse("checkin:scanner", kwargs={"pk": session.pk})).content.decode()
    assert '<script src="/static/activities/scanner.js" defer></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and " onclick=" not in html
    assert 'for="code-input"' in html
