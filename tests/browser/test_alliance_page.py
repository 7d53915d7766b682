"""The alliance page of the seed story (亚父街道工会联盟, 14 member unions) and the member roll, in a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from gonghui.web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ALLIANCE = "亚父街道工会联盟"
MASKED_ID = re.compile(r"^\d{3}\*{11}[\dX]{4}$")
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def assert_cjk_fonts() -> None:
    fc_list = shutil.which("fc-list")
    assert fc_list, "fc-list (fontconfig) is missing: cannot check for CJK fonts; install fontconfig and fonts-noto-cjk"
    out = subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False).stdout
    assert out.strip(), "`fc-list :lang=zh` lists no font: Chinese text would render as boxes (tofu) in the screenshots. Install fonts-noto-cjk."


def login(page, username: str) -> None:
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.get_by_role("button", name="登录").click()
    assert "/accounts/login/" not in page.url, f"login as {username} failed: {page.locator('main').inner_text()}"


def open_alliance(page) -> None:
    page.locator("nav.main").get_by_role("link", name="联盟", exact=True).click()
    page.wait_for_url("**/alliances/")
    page.get_by_role("link", name=ALLIANCE).click()
    page.wait_for_url(re.compile(r"/alliances/\d+/$"))


def no_js_errors(page) -> None:
    assert not page.js_errors, f"JavaScript errors on {page.url}: {page.js_errors}"


def test_cjk_fonts_installed():
    assert_cjk_fonts()


def test_alliance_page_as_coordinator(new_page, artifacts_dir):
    assert_cjk_fonts()
    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, "yafu_coord")
    open_alliance(page)

    assert page.locator("h1").inner_text().strip() == ALLIANCE
    assert page.locator("[data-testid=member-unions]").inner_text().strip() == "14"
    rows = page.locator("[data-testid=alliance-members-table] tbody tr")
    assert rows.count() == 14
    assert rows.filter(has_text="安徽川海工贸有限公司工会").count() == 1
    no_js_errors(page)
    page.screenshot(path=artifacts_dir / "alliance-page.png", full_page=True)


def test_alliance_page_on_phone(new_page, artifacts_dir):
    assert_cjk_fonts()
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2)
    login(page, "yafu_coord")
    open_alliance(page)

    assert page.locator("h1").inner_text().strip() == ALLIANCE
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    # Wide tables scroll inside their own .table-wrap; the page itself must not scroll sideways.
    assert scroll_width <= 375 + 1, f"the page overflows horizontally on a phone: scrollWidth={scroll_width}px > 375px"
    no_js_errors(page)
    page.screenshot(path=artifacts_dir / "alliance-page-phone.png", full_page=True)


def test_member_roll_shows_masked_ids(new_page, artifacts_dir):
    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, "chaohu_cadre")
    page.locator("nav.main").get_by_role("link", name="会员", exact=True).click()
    page.wait_for_url(re.compile(r"/orgs/\d+/roll/"))
    assert "巢湖市总工会" in page.locator("h1").inner_text()

    table = page.locator("[data-testid=roll]")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert "身份证号" in headers, headers
    col = headers.index("身份证号")
    rows = table.locator("tbody tr")
    assert rows.count() >= 10, "the roll of 巢湖市总工会 should list the demo members"
    for i in range(10):
        cell = rows.nth(i).locator("td").nth(col).inner_text().strip()
        assert MASKED_ID.match(cell), f"row {i}: ID not masked as 3 digits + 11 stars + 4: {cell!r}"
    text = page.locator("body").inner_text()
    assert not FULL_ID.search(text), f"a full 18-character ID number is shown: {FULL_ID.search(text).group()}"
    assert not FULL_ID.search(page.content()), "a full 18-character ID number is in the page source"
    no_js_errors(page)
    page.screenshot(path=artifacts_dir / "member-roll.png", full_page=True)


def test_language_switch_to_english(new_page, artifacts_dir):
    page = new_page(viewport={"width": 1280, "height": 900})
    login(page, "yafu_coord")
    open_alliance(page)
    url = page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url == url
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="中文").is_visible()
    assert page.locator("[data-testid=member-unions]").inner_text().strip() == "14"
    no_js_errors(page)
    page.screenshot(path=artifacts_dir / "alliance-page-en.png", full_page=True)
