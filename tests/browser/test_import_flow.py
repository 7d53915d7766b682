"""A cadre imports a member roll from Excel on a phone-sized screen: upload → preview → confirm."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_alliance_page import login
from tests.factories import new_id, roll_row, xlsx_bytes

pytestmark = pytest.mark.browser
YAFU_TOWN = "D340181-0012"  # 亚父街道总工会 in the demo (not an alliance member: the alliance figures stay put)


def test_a_cadre_imports_a_roll_and_finds_the_people_masked(new_page, artifacts_dir, tmp_path) -> None:
    rows = [roll_row(f"导入测试{i}", new_id("340181"), YAFU_TOWN, 手机号=f"1390000{i:04d}") for i in range(12)]
    rows.append(roll_row("导入测试坏行", "340181198505060018", YAFU_TOWN))
    bad = tmp_path / "名册-有错.xlsx"
    bad.write_bytes(xlsx_bytes(rows))
    good = tmp_path / "名册.xlsx"
    good.write_bytes(xlsx_bytes(rows[:-1]))
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True)
    login(page, "chaohu_cadre")
    page.goto("/")
    page.locator("main").get_by_role("link", name="组织详情").click()
    page.get_by_role("link", name="批量导入").click()

    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_test_id("job-status").filter(has_text="校验未通过").wait_for()
    assert page.get_by_test_id("count-reject").inner_text() == "1"
    assert "身份证号校验位不正确" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="下载错误报告").is_visible()

    page.goto("/")
    page.locator("main").get_by_role("link", name="组织详情").click()
    page.get_by_role("link", name="批量导入").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(good))
    page.get_by_role("button", name="上传并校验").click()
    confirm = page.get_by_role("button", name="确认导入（新增 12，更新 0）")
    confirm.wait_for()
    confirm.click()
    page.get_by_test_id("job-status").filter(has_text="已导入").wait_for()
    page.screenshot(path=str(artifacts_dir / "import-done-phone.png"), full_page=True)

    page.goto("/")
    page.locator("main").get_by_role("link", name="会员名册").click()
    page.get_by_label("姓名").fill("导入测试")
    page.get_by_role("button", name="查询").click()
    page.locator("table[data-testid=roll] tbody tr").nth(11).wait_for()
    table = page.locator("table[data-testid=roll]").inner_text()
    assert table.count("导入测试") == 12 and "导入测试坏行" not in table
    assert re.search(r"340\*{11}[\dX]{4}", table) and "139****0000" in table
    assert page.js_errors == []
