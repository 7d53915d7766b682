from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.training.models import TrainingAssignment, TrainingAttendance, TrainingPlan
from tests.factories import make_person, new_id, xlsx_bytes

HEADERS = ["姓名", "身份证号", "部门"]


def _upload(rows: list[list[Any]], **kw: Any) -> SimpleUploadedFile:
    return SimpleUploadedFile("名单.xlsx", xlsx_bytes(rows, headers=kw.pop("headers", HEADERS), sheet="培训名单"))


def _post(client: Any, org: Any, **data: Any) -> Any:
    return client.post(reverse("training:create", kwargs={"org_id": org.pk}), {"title": "岗位培训", "batches": 2, **data})


def test_it_creates_a_plan_from_an_uploaded_list(world: Any, as_user: Any) -> None:
    a, b, c = (make_person(world.unit_a1, n) for n in ("甲", "乙", "丙"))
    rows = [["甲", a.id_number(), "办公室"], ["乙", b.id_number(), "办公室"], ["丙", c.id_number(), "财务科"]]
    r = _post(as_user("cadre"), world.unit_a1, source="upload", file=_upload(rows))
    plan = TrainingPlan.objects.get()
    assert (r.status_code, r["Location"]) == (302, reverse("training:detail", kwargs={"pk": plan.pk}))
    assert sorted(TrainingAssignment.objects.values_list("person__name", "department", "batch__number")) == [
        ("丙", "财务科", 1),
        ("乙", "办公室", 2),
        ("甲", "办公室", 1),
    ]


def test_it_names_every_bad_row_and_column_and_writes_nothing(world: Any, as_user: Any) -> None:
    a = make_person(world.unit_a1, "甲")
    outsider = world.people["sibling"].id_number()
    unknown = new_id()
    rows = [
        ["甲", a.id_number(), "办公室"],
        ["", "12345", ""],
        ["乙", outsider, "办公室"],
        ["丙", unknown, "办公室"],
        ["错名", a.id_number(), "财务科"],
    ]
    r = _post(as_user("cadre"), world.unit_a1, source="upload", file=_upload(rows))
    assert r.status_code == 200
    assert r.context["errors"] == [
        "第3行“姓名”：不能为空",
        "第3行“部门”：不能为空",
        "第3行“身份证号”：身份证号应为18位（前17位数字，末位数字或X），或15位数字",
        f"第4行“身份证号”：{outsider[:3]}***********{outsider[-4:]} 在合肥甲公司工会及下级工会中没有登记",
        f"第5行“身份证号”：{unknown[:3]}***********{unknown[-4:]} 在合肥甲公司工会及下级工会中没有登记",
        f"第6行“姓名”：与身份证号 {a.id_masked} 登记的姓名不一致",
        "第6行“身份证号”：与第2行重复",
    ]
    body = r.content.decode()
    assert outsider not in body and unknown not in body and a.id_number() not in body
    assert (TrainingPlan.objects.count(), TrainingAssignment.objects.count(), AuditEvent.objects.filter(action__startswith="training").count()) == (
        0,
        0,
        0,
    )


def test_it_refuses_a_wrong_header_and_a_non_xlsx(world: Any, as_user: Any) -> None:
    client = as_user("cadre")
    r = _post(client, world.unit_a1, source="upload", file=_upload([["甲", new_id()]], headers=["姓名", "身份证号"]))
    assert r.context["form"].errors["file"] == ["表头与模板不一致：缺少列：部门。请下载最新模板填写"]
    r = _post(client, world.unit_a1, source="upload", file=SimpleUploadedFile("名单.csv", b"a,b"))
    assert r.context["form"].errors["file"] == ["只接受 .xlsx 格式的 Excel 文件（不支持 .xls、.xlsm、.csv），请用模板另存为 .xlsx 后上传"]
    r = _post(client, world.unit_a1, source="upload")
    assert r.context["form"].errors["file"] == ["选择“导入名单”时请上传名单文件"]
    assert TrainingPlan.objects.count() == 0


def test_it_toggles_attendance_with_htmx_and_shows_coverage(world: Any, as_user: Any) -> None:
    client = as_user("cadre")
    _post(client, world.unit_a1, source="roll", batches=1)
    plan = TrainingPlan.objects.get()
    a = TrainingAssignment.objects.get(plan=plan)
    url = reverse("training:attendance", kwargs={"pk": a.pk})
    r = client.post(url, {"attended": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "checked" in r.content.decode()
    assert TrainingAttendance.objects.filter(assignment=a).count() == 1
    r = client.post(url, {}, headers={"HX-Request": "true"})
    assert TrainingAttendance.objects.count() == 0
    r = client.get(reverse("training:coverage", kwargs={"pk": plan.pk}))
    assert (r.context["cov"].people, r.context["cov"].attended) == (1, 0)
    assert [x.person.name for x in r.context["page"].rows] == ["own人员"]
    full = world.people["own"].id_number()
    for page in ("training:detail", "training:coverage"):
        body = client.get(reverse(page, kwargs={"pk": plan.pk}) + "?show=all").content.decode()
        assert world.people["own"].id_masked in body and full not in body
    r = client.get(reverse("training:export", kwargs={"pk": plan.pk}))
    assert r.status_code == 200 and r["Content-Type"].endswith("sheet")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0).to_python()
    assert sheet == [["姓名", "身份证号", "部门", "批次", "参训情况"], ["own人员", world.people["own"].id_masked, "合肥甲公司工会", "1", "未参训"]]
