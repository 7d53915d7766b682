from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.audit.models import AuditEvent
from gonghui.imports import services
from gonghui.orgs.imports import COLUMNS
from gonghui.orgs.models import Org
from tests.factories import xlsx_bytes

HEADERS = [c.header for c in COLUMNS]


def org_row(code, name, parent_code, level="基层", org_type="单独基层工会", region="340100", **extra):
    """A row keyed by the template's Chinese headers (extra columns by header too)."""
    values = {"组织编码": code, "名称": name, "上级组织编码": parent_code, "层级": level, "组织类型": org_type, "行政区划代码": region} | extra
    return [values.get(h, "") for h in HEADERS]


def run(world, rows, *, user="fed_admin"):
    actor = world.users[user]
    data = xlsx_bytes(rows, headers=HEADERS, sheet="组织登记")
    job = services.job_create(actor=actor, org=world.city_a1, kind="orgs", upload=SimpleUploadedFile("组织.xlsx", data))
    job = services.job_preview(job_id=job.pk)
    if job.status == "valid":
        services.job_request_apply(actor=actor, job=job)
        job = services.job_apply(job_id=job.pk)
    return job


def test_it_creates_orgs_with_parents_in_the_file_and_updates_by_code(world) -> None:
    w = world
    rows = [
        org_row("T-TOWN", "某街道总工会", w.city_a1.code, level="乡镇(街道)", org_type="乡镇(街道)总工会"),
        org_row("T-UNIT", "某公司工会", "T-TOWN", **{"所在单位": "某公司", "单位类别": "内资企业", "成立日期": "2021-05-14"}),
        org_row(w.unit_a1.code, "合肥甲公司工会（更名）", w.city_a1.code),
    ]
    n = AuditEvent.objects.filter(action__startswith="orgs.").count()
    job = run(world, rows)
    assert (job.status, job.counts) == ("applied", {"create": 2, "update": 1, "unchanged": 0, "reject": 0, "created": 2, "updated": 1})
    town, unit = Org.objects.get(code="T-TOWN"), Org.objects.get(code="T-UNIT")
    assert (town.parent_id, unit.parent_id, unit.path) == (w.city_a1.pk, town.pk, f"{town.path}{unit.pk}/")
    assert (unit.level, unit.org_type, unit.unit_category, unit.established_on) == ("grassroots", "single", "110", dt.date(2021, 5, 14))
    assert Org.objects.get(pk=w.unit_a1.pk).name == "合肥甲公司工会（更名）"
    assert AuditEvent.objects.filter(action__startswith="orgs.").count() == n + 3
    again = run(world, rows)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "reject": 0, "created": 0, "updated": 0}


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (lambda w: org_row("X1", "甲", w.unit_b.code), "上级组织编码", None),
        (lambda w: org_row("X1", "甲", w.city_a1.code, level="村级"), "层级", None),
        (lambda w: org_row(w.unit_b.code, "改别人的", w.city_a1.code), "组织编码", None),
        (lambda w: org_row(w.unit_a1.code, "搬家", w.unit_a2.code), "上级组织编码", None),
        (lambda w: org_row("X1", "甲", w.city_a1.code, region="3401"), "行政区划代码", "应为6位数字（GB/T 2260）"),
        (lambda w: org_row("X1", "", w.city_a1.code), "名称", "不能为空"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(world, row, column, reason) -> None:
    before = list(Org.objects.order_by("pk").values_list("pk", "name", "path"))
    job = run(world, [org_row("OK-1", "好的", world.city_a1.code), row(world)])
    assert job.status == "invalid" and job.counts["reject"] == 1
    assert job.errors[0][:2] == [3, column]
    if reason:
        assert job.errors[0][2] == reason
    assert list(Org.objects.order_by("pk").values_list("pk", "name", "path")) == before


def test_a_cadre_cannot_create_orgs(world) -> None:
    job = run(world, [org_row("X1", "甲", world.city_a1.code)], user="cadre")
    assert job.errors == [[2, "上级组织编码", f"“{world.city_a1.code}”不存在或不在您的管理范围内（本表中的上级须在更靠前的行）"]]


def test_the_org_template_downloads_with_its_dropdowns(world, as_user) -> None:
    import io

    from python_calamine import CalamineWorkbook

    r = as_user("fed_admin").get("/imports/templates/orgs.xlsx")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert r.status_code == 200 and wb.sheet_names == ["组织登记", "选项", "填写说明"]
    assert wb.get_sheet_by_name("组织登记").to_python()[0] == HEADERS


def test_the_worker_writes_a_jobs_messages_in_its_uploaders_language(world) -> None:
    from django.utils import translation

    from gonghui.imports import tasks

    data = xlsx_bytes([org_row("X1", "", world.city_a1.code)], headers=HEADERS, sheet="组织登记")
    with translation.override("en"):  # the uploader's request
        job = services.job_create(actor=world.users["fed_admin"], org=world.city_a1, kind="orgs", upload=SimpleUploadedFile("组织.xlsx", data))
    with translation.override("zh-hans"):  # a worker: the site's language, no request
        tasks.preview_import.call(job.pk)
    job.refresh_from_db()
    assert (job.language, job.status, job.errors) == ("en", "invalid", [[2, "名称", "Required"]])
    assert job.message == "1 row failed validation, so nothing in the file will be imported; fix it using the error report and upload again"
