from __future__ import annotations

import datetime as dt
import io
import zipfile
from urllib.parse import quote

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.hardship import stats
from tests.factories import make_person

from .statsworld import StatsWorld, build


@pytest.fixture
def sw(hs) -> StatsWorld:
    return build(hs)


@pytest.fixture
def login(client, sw):  # type: ignore[no-untyped-def]
    def go(username: str):  # type: ignore[no-untyped-def]
        client.force_login(sw.users[username])
        return client

    return go


def sheet(response) -> list[list]:  # type: ignore[no-untyped-def]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"] == "no-store"
    data = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_index(0).to_python()


def test_the_statistics_page_shows_the_scopes_counts_report_and_payments(sw, login, django_assert_num_queries) -> None:
    c = login("cadre")
    url = reverse("hardship:stats", kwargs={"org_id": sw.hs.w.city_a1.pk})
    c.get(url)  # the first request of a session writes it
    with django_assert_num_queries(14):  # session, user with grants, org; 7 counts; the year's events; payments ×3; the scope bar
        r = c.get(url, {"year": 2026})
    assert r.status_code == 200
    assert [(label, n) for label, n in r.context["report"].rows()][:2] == [("新建档", 6), ("其中：临时救助档案", 1)]
    assert [(str(how), rows) for how, rows in r.context["payments"]] == [
        ("按帮扶项目", [stats.PaymentRow(2026, "生活救助", 1, 1, 800_000)]),
        ("按资金来源", [stats.PaymentRow(2026, "中央财政专项资金", 1, 1, 800_000)]),
        ("按帮扶专项", [stats.PaymentRow(2026, "2026年送温暖 · 安徽省总工会", 1, 1, 800_000)]),
    ]
    html = r.content.decode()
    assert "<td>生活救助</td><td>1</td><td>1</td><td>¥8,000.00</td>" in html
    assert "<th>按资金来源</th>" in html
    assert "<td>中央财政专项资金</td><td>1</td><td>1</td><td>¥8,000.00</td>" in html
    assert "<td>2026年送温暖 · 安徽省总工会</td><td>1</td><td>1</td><td>¥8,000.00</td>" in html
    assert "<td>注销：死亡</td><td>1</td>" in html
    assert c.get(url, {"year": 2027}).context["report"].safety_net == 1
    assert c.get(url, {"year": "abc"}).context["year"] == dt.date.today().year  # noqa: DTZ011 - the page falls back to this year


def test_a_cadre_outside_the_union_gets_404_everywhere(sw, login) -> None:
    c = login("other_cadre")
    org = sw.hs.w.city_a1.pk
    for name, kw in (
        ("hardship:stats", {}), ("hardship:stats_export", {}), ("hardship:stats_coverage", {}), ("hardship:stats_coverage_export", {}),
        ("hardship:stats_id_lookup", {}), ("hardship:stats_query", {"kind": "cancelled"}), ("hardship:stats_query_export", {"kind": "cancelled"}),
    ):  # fmt: skip
        assert c.get(reverse(name, kwargs={"org_id": org, **kw})).status_code == 404, name
    audits = AuditEvent.objects.count()
    assert c.post(reverse("hardship:stats_id_lookup", kwargs={"org_id": org}), {"id_number": sw.f("A").holder.id_number()}).status_code == 404
    assert AuditEvent.objects.count() == audits


def test_the_statistics_export_is_the_page_as_a_sheet_and_is_audited(sw, login) -> None:
    c = login("viewer")
    org = sw.hs.w.city_a1
    r = c.get(reverse("hardship:stats_export", kwargs={"org_id": org.pk}), {"year": 2026})
    assert r["Content-Disposition"] == f"attachment; filename*=UTF-8''{quote('合肥市总工会困难职工档案统计2026年')}.xlsx"
    rows = sheet(r)
    assert rows[0] == ["类别", "项目", "数量", "户数", "金额（元）"]
    assert ["困难类别（在档）", "相对困难", "1", "", ""] in rows
    assert ["2026年动态管理", "返困", "1", "", ""] in rows
    assert rows[-3:] == [
        ["2026年帮扶资金（按帮扶项目）", "生活救助", "1", "1", "8000.00"],
        ["2026年帮扶资金（按资金来源）", "中央财政专项资金", "1", "1", "8000.00"],
        ["2026年帮扶资金（按帮扶专项）", "2026年送温暖 · 安徽省总工会", "1", "1", "8000.00"],
    ]
    e = AuditEvent.objects.filter(action="hardship.export").get()
    assert (e.actor_id, e.target_id, e.data) == (sw.users["viewer"].pk, org.pk, {"what": "statistics", "year": 2026})


def test_the_coverage_page_and_its_export_list_the_files_missing_a_contact_or_a_visit(sw, login, django_assert_num_queries) -> None:
    c = login("cadre")
    org = sw.hs.w.city_a1
    url = reverse("hardship:stats_coverage", kwargs={"org_id": org.pk})
    with time_machine.travel(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC), tick=False):
        c.get(url)
        with django_assert_num_queries(5):  # session, user with grants, org; the figures; one page of files with org and holder; scope bar
            r = c.get(url)
        assert (r.context["cov"].on_file, r.context["cov"].with_contact, r.context["cov"].visited) == (4, 2, 1)
        assert sorted(f.holder.name for f in r.context["page"].rows) == ["孙丽", "李明"]
        assert sorted(f.holder.name for f in c.get(url, {"show": "no_visit"}).context["page"].rows) == ["孙丽", "张伟", "李明"]
        rows = sheet(c.get(reverse("hardship:stats_coverage_export", kwargs={"org_id": org.pk}), {"show": "no_visit"}))
    assert rows[0] == [str(h) for h in stats.FILE_HEADERS]
    assert sorted(r[1] for r in rows[1:]) == ["孙丽", "张伟", "李明"]
    for row in rows[1:]:
        assert row[2][3:14] == "*" * 11
    assert AuditEvent.objects.filter(action="hardship.export").get().data == {"what": "coverage", "show": "no_visit"}


def test_a_list_query_pages_filters_by_worker_kind_and_renders_a_partial_for_htmx(sw, login, django_assert_num_queries) -> None:
    c = login("cadre")
    org = sw.hs.w.city_a1
    url = reverse("hardship:stats_query", kwargs={"org_id": org.pk, "kind": "never_helped"})
    c.get(url)
    with django_assert_num_queries(4):  # session, user with grants, org; one page of files with org and holder; the scope bar
        r = c.get(url)
    assert sorted(f.holder.name for f in r.context["page"].rows) == ["孙丽", "张伟", "李明"]
    assert [f.holder.name for f in c.get(url, {"worker": "migrant"}).context["page"].rows] == ["张伟"]
    partial = c.get(url, {"worker": "migrant"}, headers={"HX-Request": "true"})
    assert partial.templates[0].name == "hardship/stats/_results.html"
    assert "<html" not in partial.content.decode()
    assert c.get(reverse("hardship:stats_query", kwargs={"org_id": org.pk, "kind": "everything"})).status_code == 404


def test_the_name_query_needs_a_name_and_exports_what_it_found(sw, login) -> None:
    c = login("cadre")
    org = sw.hs.w.city_a1
    url = reverse("hardship:stats_query", kwargs={"org_id": org.pk, "kind": "name"})
    r = c.get(url)
    assert (r.status_code, r.context["page"]) == (200, None)
    assert sorted(f.holder.name for f in c.get(url, {"value": "张"}).context["page"].rows) == ["张三丰", "张伟", "张建国"]
    export = reverse("hardship:stats_query_export", kwargs={"org_id": org.pk, "kind": "name"})
    assert c.get(export).status_code == 400
    rows = sheet(c.get(export, {"value": "张", "worker": "worker"}))
    assert sorted(r[1] for r in rows[1:]) == ["张三丰", "张建国"]
    assert AuditEvent.objects.filter(action="hardship.export").get().data == {"what": "query", "kind": "name", "worker": "worker"}


def test_the_cancelled_library_export_neutralizes_formula_like_text(sw, login, hs) -> None:
    from gonghui.hardship import services

    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        odd = hs.on_file(hs.draft(make_person(hs.w.unit_a1, '=HYPERLINK("http://x","y")')))
        services.file_cancel(actor=hs.users["cadre"], file=odd, reason_code="other", note="=1+1")
    c = login("cadre")
    r = c.get(reverse("hardship:stats_query_export", kwargs={"org_id": hs.w.city_a1.pk, "kind": "cancelled"}))
    data = b"".join(r.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    names = {ws.cell(row=i, column=2).value: ws.cell(row=i, column=2).quotePrefix for i in range(2, ws.max_row + 1)}
    assert names == {'=HYPERLINK("http://x","y")': True, "赵敏": False}
    assert odd.holder.id_number() not in xml


def test_the_id_lookup_is_posted_and_audited_without_the_number(sw, login) -> None:
    c = login("cadre")
    org = sw.hs.w.city_a1
    url = reverse("hardship:stats_id_lookup", kwargs={"org_id": org.pk})
    r = c.get(url)
    assert (r.status_code, r.context["files"]) == (200, None)
    number = sw.f("A").members.get(relation="child").id_number()
    r = c.post(url, {"id_number": number})
    assert [f.holder.name for f in r.context["files"]] == ["张建国"]
    assert r["Cache-Control"] == "no-store"
    assert number not in r.content.decode()
    e = AuditEvent.objects.filter(action="hardship.query_id_number").get()
    assert (e.actor_id, e.target_id, e.data) == (sw.users["cadre"].pk, org.pk, {"found": 1})
    bad = c.post(url, {"id_number": "12345"}, headers={"HX-Request": "true"})
    assert bad.templates[0].name == "hardship/stats/_id_results.html"
    assert "身份证号应为18位" in bad.content.decode()
    assert AuditEvent.objects.filter(action="hardship.query_id_number").count() == 1
    # a 芜湖 number is not found from 合肥
    assert c.post(url, {"id_number": sw.f("W").holder.id_number()}).context["files"] == []


@pytest.mark.parametrize("role", ["cadre", "viewer", "prov_admin"])
def test_no_statistics_page_or_export_shows_a_full_id_number(sw, login, role) -> None:
    """The masking scan of tests/privacy, over every page and export reachable from the statistics page."""
    from collections import deque

    from gonghui.hardship.models import HouseholdMember
    from tests.privacy.test_masking_scanner import ID_SHAPE, Links, body_text

    c = login(role)
    org = sw.hs.w.prov_a if role == "prov_admin" else sw.hs.w.city_a1
    prefix = f"/orgs/{org.pk}/hardship/"
    seen: dict[str, str] = {}
    queue = deque([f"{prefix}statistics/", f"{prefix}query/name/?value=张", f"{prefix}coverage/?show=no_visit"])
    with time_machine.travel(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC), tick=False):
        while queue:
            url = queue.popleft()
            if url in seen or not url.startswith(tuple(prefix + part for part in ("statistics", "coverage", "query/"))):
                continue
            r = c.get(url)
            seen[url] = body_text(r) if r.status_code == 200 else ""
            links = Links()
            links.feed(seen[url])
            queue.extend(links.found)
    numbers = [m.id_number() for m in HouseholdMember.objects.all()]
    for url, text in seen.items():
        assert [n for n in numbers if n in text] == [], url
        assert ID_SHAPE.findall(text) == [], url
    shown = {u.split("?")[0] for u, t in seen.items() if t}
    assert shown == {
        f"{prefix}statistics/", f"{prefix}statistics.xlsx", f"{prefix}coverage/", f"{prefix}coverage.xlsx", f"{prefix}query/id-number/",
        *(f"{prefix}query/{k}/" for k in stats.QUERIES), *(f"{prefix}query/{k}.xlsx" for k in stats.QUERIES),
    }  # fmt: skip
    # A (helped, visited this quarter, with a contact) is listed by the name query and its export only, masked
    holder = sw.f("A").holder
    listed = sorted(u.split("?")[0] for u, t in seen.items() if holder.name in t)
    assert listed == [f"{prefix}query/name.xlsx", f"{prefix}query/name/"]
    assert all(holder.id_masked in t for u, t in seen.items() if holder.name in t)
