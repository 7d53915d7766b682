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
