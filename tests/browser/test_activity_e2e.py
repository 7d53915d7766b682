"""Issue #4's end-to-end path, all through the UI: a cadre creates an activity and a session and
prints the QR poster; a worker on a phone registers and checks in from the poster's URL; the
dashboard's 人次 for the organizer rises by exactly 1, and a second scan leaves it there."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from tests.browser.test_alliance_page import login

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


def attendance(page, dashboard_url: str) -> int:
    page.goto(dashboard_url)
    return int(page.locator("[data-testid=fig-attendance]").inner_text().replace(",", ""))


def test_cadre_plans_worker_checks_in_dashboard_counts_once(new_page, live_app, artifacts_dir):
    cadre = new_page(viewport={"width": 1280, "height": 900})
    login(cadre, "chaohu_cadre")
    cadre.goto("/activities/")
    with cadre.expect_navigation():
        cadre.get_by_role("link", name="新建活动").click()
    org_id = int(re.search(r"/orgs/(\d+)/activities/new/", cadre.url).group(1))
    year = dt.datetime.now(SHANGHAI).year  # the app's time zone: the dashboard's months are its months
    dashboard = f"/orgs/{org_id}/reports/?start={year}-01&end={year}-12"
    before = attendance(cadre, dashboard)

    cadre.go_back()
    cadre.get_by_label("活动名称").fill("职工劳动法宣讲会")
    cadre.get_by_label("活动类型").select_option(label="讲座/宣讲")
    cadre.get_by_label("场地").fill("巢湖市职工之家")
    with cadre.expect_navigation():
        cadre.locator("main form button[type=submit]").click()
    assert cadre.locator("[data-testid=activity-title]").inner_text().startswith("职工劳动法宣讲会")

    with cadre.expect_navigation():
        cadre.get_by_role("link", name="添加场次").click()
    start = dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0) + dt.timedelta(minutes=5)  # the form's wall clock
    cadre.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    cadre.get_by_label("结束时间").fill((start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    cadre.get_by_label("地点").fill("巢湖市职工之家三楼")
    with cadre.expect_navigation():
        cadre.locator("main form button[type=submit]").click()
    for status in ("已发布", "报名中"):
        cadre.get_by_label("变更状态").select_option(label=status)
        with cadre.expect_navigation():
            cadre.get_by_role("button", name="确定").click()
        assert cadre.locator("[data-testid=activity-status]").inner_text() == status
    activity_url = cadre.url

    with cadre.expect_navigation():
        cadre.get_by_role("link", name="签到二维码海报").click()
    assert "职工劳动法宣讲会" in cadre.locator("[data-testid=poster]").inner_text()
    assert cadre.locator("[data-testid=poster-qr] svg").count() == 1
    scan_url = cadre.locator("[data-testid=scan-url]").get_attribute("href")
    cadre.emulate_media(media="print")
    cadre.screenshot(path=artifacts_dir / "e2e-poster-print.png", full_page=True)
    cadre.emulate_media(media="screen")

    phone = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    login(phone, "zhigong")
    phone.goto(activity_url)
    with phone.expect_navigation():
        phone.get_by_role("button", name="我要报名").click()
    assert phone.locator("text=我已报名").count() == 1
    phone.goto(scan_url)
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认签到").click()
    assert phone.locator("h1").inner_text() == "已签到"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 376
    phone.screenshot(path=artifacts_dir / "e2e-phone-checked-in.png", full_page=True)

    assert attendance(cadre, dashboard) == before + 1
    phone.goto(scan_url)  # a second scan
    assert phone.locator("h1").inner_text() == "已签到"
    assert phone.get_by_role("button", name="确认签到").count() == 0
    assert attendance(cadre, dashboard) == before + 1
    cadre.screenshot(path=artifacts_dir / "e2e-dashboard.png", full_page=True)
    assert not phone.js_errors and not cadre.js_errors
