from __future__ import annotations

import subprocess
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_chinese_is_the_default_and_english_is_one_switch_away(world, as_user) -> None:
    c = as_user("cadre")
    page = c.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and ">组织</a>" in page and ">会员</a>" in page
    r = c.post("/i18n/setlang/", {"language": "en", "next": "/orgs/"})
    assert (r.status_code, r["Location"]) == (302, "/orgs/")
    page = c.get("/orgs/").content.decode()
    assert '<html lang="en">' in page
    assert ">Organizations</a>" in page and ">Members</a>" in page and ">Alliances</a>" in page
    assert "Organization tree" in page


def test_an_english_browser_still_gets_chinese_until_the_user_switches(world, as_user) -> None:
    c = as_user("cadre")
    page = c.get("/orgs/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page and "组织树" in page


def test_every_english_entry_is_translated_and_compiled() -> None:
    out = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=True)  # noqa: S603, S607
    assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1, "run make messages: the .mo is older than the .po"


def test_the_import_list_is_in_the_navigation_for_operators_only(world, as_user) -> None:
    assert 'href="/imports/"' in as_user("cadre").get("/orgs/").content.decode()
    assert 'href="/imports/"' not in as_user("viewer").get("/orgs/").content.decode()


def test_refusals_and_missing_pages_are_told_in_chinese_or_in_the_chosen_english(world, as_user) -> None:
    viewer = as_user("viewer")
    campaigns = f"/orgs/{world.city_a1.pk}/money/campaigns/"
    r = viewer.post(campaigns, {"name": "金秋助学"})
    assert r.status_code == 403 and "<h1>没有权限</h1>" in r.content.decode()
    r = viewer.get("/orgs/99999999/")
    assert r.status_code == 404 and "<h1>页面不存在</h1>" in r.content.decode()
    viewer.cookies["django_language"] = "en"
    assert "<h1>Not allowed</h1>" in viewer.post(campaigns, {"name": "金秋助学"}).content.decode()
    assert "<h1>Page not found</h1>" in viewer.get("/orgs/99999999/").content.decode()


def test_an_expired_form_says_so_in_chinese(world) -> None:
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users["cadre"])
    r = c.post("/i18n/setlang/", {"language": "en"})
    assert r.status_code == 403 and "<h1>页面已过期</h1>" in r.content.decode()


def test_the_server_error_page_stands_alone_in_chinese() -> None:
    from django.template import loader

    page = loader.get_template("500.html").render()
    assert "<h1>服务器出错</h1>" in page and "可能没有保存" in page
