"""The hardship file form in a browser (issue #5): a 界首 cadre on a phone opens the file the 民政
check sent back, adds a household row with htmx ("增加一行" swaps only the members), and the
category arithmetic follows the incomes typed (live 测算, nothing saved until 保存档案)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_alliance_page import login

pytestmark = pytest.mark.browser


def test_a_cadre_adds_a_household_row_and_the_assessment_follows_the_incomes(new_page, live_app, artifacts_dir):
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, "jieshou_cadre")
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="帮扶").first.click()
    row = page.locator("[data-testid=files] tbody tr", has_text="已退回")
    assert row.count() == 1
    with page.expect_navigation():
        row.locator("a").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="修改档案").click()
    assert re.search(r"/hardship/files/\d+/edit/$", page.url)

    rows = page.locator("[data-testid=member-row]")
    before = rows.count()
    url = page.url
    page.get_by_role("button", name="增加一行").click()
    expect(rows).to_have_count(before + 1)
    assert page.url == url  # swapped in place, no navigation

    # the holder's yearly wage raised far above twice the 低保: the assessment says not eligible
    wage = page.locator("[data-testid=member-row]").first.get_by_label("工资收入（元/年）")
    wage.fill("200000")
    wage.dispatch_event("change")
    expect(page.locator("#assessment")).to_contain_text("不符合建档条件")
    assert "¥200,000.00" in page.locator("#assessment").inner_text()
    page.screenshot(path=str(artifacts_dir / "hardship-edit-phone.png"), full_page=True)
