"""Check-in in a real browser: the cadre's scanner through a network loss, and a worker checking
in on a phone from the poster's URL.

The activity and session are written into the live app's database by a ``manage.py shell``
script (the activity create pages are in another branch; at merge the lead switches this set-up
to the UI). The live app's SQLite file is found through the environment of its gunicorn process.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from gonghui.web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]

SETUP = """
import datetime as dt, json, secrets
from django.utils import timezone
from gonghui.activities import codes
from gonghui.activities.models import Activity, ActivityAudience, ActivityType, Session
from gonghui.orgs.models import Org
from gonghui.people.models import Person
org = Org.objects.get(name="巢湖市总工会")
now = timezone.now()
a = Activity.objects.create(title=TITLE, activity_type=ActivityType.objects.get(code="lecture"), organizer=org,
    organizer_path=org.path, venue="职工之家", status="ongoing", created_at=now, updated_at=now)
ActivityAudience.objects.create(activity=a, org=org, org_path=org.path)
s = Session.objects.create(activity=a, title="上午场", starts_at=now, ends_at=now + dt.timedelta(hours=2),
    place="巢湖市职工之家三楼", checkin_key=secrets.token_hex(16), created_at=now)
people = Person.objects.filter(org_path__startswith=org.path).filter(account__isnull=True).order_by("id")[:3]
print(json.dumps({"session": s.pk, "codes": [codes.member_code(p) for p in people]}))
"""


def live_db(live_app: str) -> Path:
    """The SQLite file of the gunicorn process serving ``live_app`` (our own child process)."""
    port = urlparse(live_app).port
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if not any(b"gunicorn" in c for c in cmd) or f"127.0.0.1:{port}".encode() not in cmd:
                continue
            env = dict(e.split(b"=", 1) for e in (proc / "environ").read_bytes().split(b"\0") if b"=" in e)
        except OSError:
            continue
        if b"SQLITE_PATH" in env:
            return Path(env[b"SQLITE_PATH"].decode())
    raise AssertionError(f"no gunicorn process serves {live_app}")


def make_session(live_app: str, title: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GONGHUI_VAR_DIR", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE")}
    env |= {"SQLITE_PATH": str(live_db(live_app)), "DJANGO_DEBUG": "0", "GONGHUI_TESTING": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"TITLE = {title!r}\n{SETUP}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def checkin_rows(live_app: str, session_pk: int) -> list[tuple]:
    with sqlite3.connect(live_db(live_app)) as db:
        return db.execute("SELECT person_id, method FROM activities_checkin WHERE session_id = ? ORDER BY id", (session_pk,)).fetchall()


def login_form(page, username: str) -> None:
    form = page.locator("main form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.get_by_role("button", name="登录").click()


def test_scanner_keeps_scans_through_a_network_loss(new_page, live_app, artifacts_dir):
    data = make_session(live_app, "断网签到演练")
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page.goto("/accounts/login/")
    login_form(page, "chaohu_cadre")
    page.goto(f"/sessions/{data['session']}/checkins/scanner/")
    assert "断网签到演练" in page.locator("[data-testid=session-info]").inner_text()

    page.context.set_offline(True)
    code_input = page.get_by_label("会员码（扫码枪输入或粘贴）")
    a, b, c = data["codes"]
    for code in (a, b, a, c):  # the first member is scanned twice
        code_input.fill(code)
        code_input.press("Enter")
    expect(page.locator("[data-testid=pending]")).to_have_text("4")
    assert page.locator("[data-testid=network]").inner_text() == "网络已断开：扫码结果保存在本机，恢复后自动同步"
    assert checkin_rows(live_app, data["session"]) == []
    page.screenshot(path=artifacts_dir / "checkin-scanner-offline.png", full_page=True)

    page.context.set_offline(False)
    expect(page.locator("[data-testid=pending]")).to_have_text("0", timeout=20_000)
    assert page.locator("[data-testid=synced]").inner_text() == "3"
    assert page.locator("[data-testid=duplicates]").inner_text() == "1"
    assert page.locator("[data-testid=refused]").inner_text() == "0"
    rows = checkin_rows(live_app, data["session"])
    assert len(rows) == 3 and {m for _, m in rows} == {"scanner"}
    results = page.locator("[data-testid=results] li").all_inner_texts()
    assert len(results) == 4
    assert all(re.match(r"^\S\*+ · \d\d:\d\d", r) for r in results), results  # short names only
    assert not page.js_errors, page.js_errors
    page.screenshot(path=artifacts_dir / "checkin-scanner-synced.png", full_page=True)

    # a reload keeps the figures (localStorage) and creates nothing
    page.reload()
    assert page.locator("[data-testid=synced]").inner_text() == "3"
    assert len(checkin_rows(live_app, data["session"])) == 3


def test_worker_checks_in_from_the_poster_on_a_phone(new_page, live_app, artifacts_dir):
    data = make_session(live_app, "劳动法宣讲会")
    cadre = new_page(viewport={"width": 1280, "height": 900})
    cadre.goto("/accounts/login/")
    login_form(cadre, "chaohu_cadre")
    cadre.goto(f"/sessions/{data['session']}/checkins/poster/")
    poster = cadre.locator("[data-testid=poster]")
    assert "劳动法宣讲会" in poster.inner_text() and "巢湖市职工之家三楼" in poster.inner_text()
    assert cadre.locator("[data-testid=poster-qr] svg").count() == 1
    scan_url = cadre.locator("[data-testid=scan-url]").get_attribute("href")
    assert scan_url.startswith(f"{live_app}/checkin/{data['session']}/")
    cadre.emulate_media(media="print")
    cadre.screenshot(path=artifacts_dir / "checkin-poster-print.png", full_page=True)

    phone = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(scan_url)  # not logged in yet: the login page, then back to the poster's URL
    assert "/accounts/login/" in phone.url
    login_form(phone, "zhigong")
    assert phone.url == scan_url
    assert phone.locator("h1").inner_text() == "确认签到"
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认签到").click()
    assert phone.locator("h1").inner_text() == "已签到"
    assert phone.locator("[data-testid=checkin-status]").inner_text().startswith("您已签到（")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    phone.screenshot(path=artifacts_dir / "checkin-phone-done.png", full_page=True)
    assert len(checkin_rows(live_app, data["session"])) == 1

    # a second scan of the poster: the same answer, no second record
    phone.goto(scan_url)
    assert phone.locator("h1").inner_text() == "已签到"
    assert phone.get_by_role("button", name="确认签到").count() == 0
    assert checkin_rows(live_app, data["session"]) == [(checkin_rows(live_app, data["session"])[0][0], "poster")]
    assert not phone.js_errors and not cadre.js_errors
