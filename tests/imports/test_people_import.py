from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.imports import services
from gonghui.imports.models import ImportJob
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.people.models import Membership, MembershipEvent, Person, PersonImportRow
from tests.factories import ROLL_HEADERS, new_id, roll_row, xlsx_bytes


def upload(data: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def run(world, data: bytes, *, user: str = "cadre", apply: bool = True, name: str = "名册.xlsx") -> ImportJob:
    actor = world.users[user]
    job = services.job_create(actor=actor, org=world.city_a1, kind="people", upload=upload(data, name))
    job = services.job_preview(job_id=job.pk)
    if apply and job.status == ImportJob.Status.VALID:
        services.job_request_apply(actor=actor, job=job)
        job = services.job_apply(job_id=job.pk)
    return job


def table_counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        MembershipEvent.objects.count(),
        AuditEvent.objects.exclude(action__startswith="imports.").count(),
    )


def test_it_imports_a_roll_with_memberships_events_counts_and_audit(world) -> None:
    code = world.unit_a1.code
    ids = [new_id(), new_id(sex="F"), new_id()]
    rows = [
        roll_row("李雷", ids[0], code, 手机号="13812340001", 会员证号="HF-001"),
        roll_row("韩梅梅", ids[1], code, 会籍状态="申请中", 入会日期=""),
        roll_row("王强", ids[2], code, 入会日期=dt.date(2020, 3, 1), 农民工="是", 学历="大学专科"),
    ]
    before = table_counts()
    job = run(world, xlsx_bytes(rows))
    assert (job.status, job.counts["create"], job.counts["reject"], job.counts["created"]) == ("applied", 3, 0, 3)
    assert table_counts() == (before[0] + 3, before[1] + 3, before[2] + 3, before[3] + 3)
    li = Person.objects.get(id_bidx__in=[p.id_bidx for p in Person.objects.filter(name="李雷")])
    assert (li.id_number(), li.phone(), li.phone_masked, li.org_id) == (ids[0], "13812340001", "138****0001", world.unit_a1.pk)
    m = Membership.objects.get(person=li)
    assert (m.status, m.card_no, m.joined_on, m.org_path) == ("active", "HF-001", dt.date(2021, 5, 14), world.unit_a1.path)
    wang = Person.objects.get(name="王强")
    assert (wang.is_migrant_worker, wang.education, Membership.objects.get(person=wang).joined_on) == (True, "大学专科", dt.date(2020, 3, 1))
    assert Membership.objects.get(person__name="韩梅梅").status == "applied"
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.member_count == 3  # the fixture's member + 2 active (the applicant is not counted)
    assert set(AuditEvent.objects.filter(action="people.import_create").values_list("target_id", flat=True)) == set(
        Person.objects.filter(name__in=["李雷", "韩梅梅", "王强"]).values_list("pk", flat=True)
    )
    assert PersonImportRow.objects.count() == 0  # staging cleared


def test_the_same_file_twice_changes_nothing(world) -> None:
    rows = [roll_row(f"职工{i}", new_id(), world.unit_a1.code) for i in range(5)]
    data = xlsx_bytes(rows)
    run(world, data)
    snapshot = (table_counts(), list(Person.objects.order_by("pk").values_list("name", "updated_at")))
    job = run(world, data)
    assert job.counts == {"create": 0, "update": 0, "unchanged": 5, "reject": 0, "created": 0, "updated": 0}
    assert (table_counts(), list(Person.objects.order_by("pk").values_list("name", "updated_at")))[0] == snapshot[0]
    assert list(Person.objects.order_by("pk").values_list("name", "updated_at")) == snapshot[1]


def test_changed_rows_update_the_person_in_place(world) -> None:
    number = new_id()
    run(world, xlsx_bytes([roll_row("赵六", number, world.unit_a1.code)]))
    job = run(world, xlsx_bytes([roll_row("赵六", number, world.unit_a1.code, 手机号="13900009999", 学历="研究生")]))
    assert (job.counts["update"], job.counts["updated"]) == (1, 1)
    p = Person.objects.get(name="赵六")
    assert (p.education, p.phone(), Membership.objects.filter(person=p).count()) == ("研究生", "13900009999", 1)
    assert AuditEvent.objects.filter(action="people.import_update", target_id=p.pk).count() == 1


def test_one_bad_row_among_many_writes_nothing_and_the_report_names_it(world) -> None:
    rows = [roll_row(f"职工{i}", new_id(), world.unit_a1.code) for i in range(300)]
    rows[137][1] = "340181198505060018"  # wrong check digit, on Excel row 139
    before = table_counts()
    job = run(world, xlsx_bytes(rows))
    assert (job.status, job.counts) == ("invalid", {"create": 299, "update": 0, "unchanged": 0, "reject": 1})
    assert job.errors == [[139, "身份证号", "身份证号校验位不正确，请核对后重新输入"]]
    assert table_counts() == before and PersonImportRow.objects.count() == 0
    with pytest.raises(ServiceError, match="当前不能执行"):
        services.job_request_apply(actor=world.users["cadre"], job=job)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(job.error_report.read())).get_sheet_by_name("会员名册").to_python()
    assert sheet[0] == ["原行号", *ROLL_HEADERS, "错误说明"]
    assert sheet[1][0] == 139 and sheet[1][1] == "职工137" and sheet[1][-1] == "身份证号：身份证号校验位不正确，请核对后重新输入"
    assert len(sheet) == 2


def test_messy_but_valid_cells_are_understood(world) -> None:
    number = new_id()
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [
        roll_row(" 孙七 ", full_width + "  ", world.unit_a1.code + " ", 入会日期="2021/5/14"),
        roll_row("周八", new_id(), world.unit_a1.code, 入会日期=44330),  # an Excel serial: 2021-05-14
        roll_row("吴九", new_id(), world.unit_a1.code, 入会日期="2021年5月14日"),
    ]
    job = run(world, xlsx_bytes(rows))
    assert (job.status, job.counts["created"]) == ("applied", 3)
    assert Person.objects.get(name="孙七").id_number() == number
    assert set(Membership.objects.filter(person__name__in=["孙七", "周八", "吴九"]).values_list("joined_on", flat=True)) == {dt.date(2021, 5, 14)}


@pytest.mark.parametrize(
    ("mutate", "column", "reason"),
    [
        (lambda r, w: r.__setitem__(1, 340181198505060016.0), "身份证号", "被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新填写"),
        (lambda r, w: r.__setitem__(0, ""), "姓名", "不能为空"),
        (lambda r, w: r.__setitem__(2, "1381234"), "手机号", "手机号应为以1开头的11位数字"),
        (lambda r, w: r.__setitem__(3, w.unit_a2.code), "所在工会编码", None),
        (lambda r, w: r.__setitem__(3, "NO-SUCH"), "所在工会编码", "“NO-SUCH”不存在或不在您的管理范围内"),
        (lambda r, w: r.__setitem__(4, "退休"), "会籍状态", "只能是会员或申请中"),
        (lambda r, w: r.__setitem__(5, "去年五月"), "入会日期", "日期格式不正确，应如 2021-05-14"),
        (lambda r, w: r.__setitem__(9, "博士后"), "学历", None),
        (lambda r, w: r.__setitem__(14, "Y"), "农民工", "只能填“是”或“否”"),
        (
            lambda r, w: r.__setitem__(1, w.people["other"].id_number()),
            "身份证号",
            "该人员已在其他工会登记，不能重复建档；可在系统中向其所在工会发起转会申请",
        ),
    ],
)
def test_each_bad_cell_is_named_and_nothing_is_written(world, mutate, column, reason) -> None:
    row = roll_row("坏行", new_id(), world.unit_a1.code)
    mutate(row, world)
    before = table_counts()
    job = run(world, xlsx_bytes([roll_row("好行", new_id(), world.unit_a1.code), row]))
    assert job.status == "invalid" and job.counts["reject"] == 1
    assert [e[:2] for e in job.errors] == [[3, column]]
    if reason:
        assert job.errors[0][2] == reason
    assert table_counts() == before


def test_duplicate_rows_inside_one_file_are_rejected(world) -> None:
    number = new_id()
    job = run(world, xlsx_bytes([roll_row("甲", number, world.unit_a1.code), roll_row("甲", number, world.unit_a1.code)]))
    assert job.errors == [[3, "身份证号", "与第2行的身份证号重复"]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"headers": ROLL_HEADERS[:-1]}, "表头与模板不一致：缺少列：农民工。请下载最新模板填写"),
        ({"headers": [*ROLL_HEADERS, "备注"]}, "表头与模板不一致：多出列：备注。请下载最新模板填写"),
        ({"merge_header": True}, "表头第2列为空（可能是合并单元格）；请使用模板的表头，不要合并单元格"),
        (
            {"sheet": "Sheet1", "headers": ["姓名"]},
            "表头与模板不一致：缺少列：身份证号、手机号、所在工会编码、会籍状态、入会日期、会员证号、民族、政治面貌、学历、学位、技能等级、户籍类型、婚姻状况、农民工。请下载最新模板填写",
        ),
    ],
)
def test_header_problems_are_explained(world, kwargs, message) -> None:
    job = run(world, xlsx_bytes([roll_row("甲", new_id(), world.unit_a1.code)], **kwargs))
    assert (job.status, job.message) == ("invalid", message)


def test_an_empty_sheet_is_explained(world) -> None:
    job = run(world, xlsx_bytes([]))
    assert (job.status, job.message) == ("invalid", "工作表是空的：没有表头或没有数据行")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("名册.csv", b"a,b\n1,2\n", "只接受 .xlsx 格式"),
        ("名册.xlsx", "姓名,身份证号\n张三,1\n".encode(), "可能是改了扩展名的 .csv 或 .xls"),
        ("名册.xlsx", b"", "文件是空的"),
    ],
)
def test_wrong_files_are_refused_before_parsing(world, name, data, message) -> None:
    n = ImportJob.objects.count()
    with pytest.raises(ServiceError, match=message):
        services.job_create(actor=world.users["cadre"], org=world.city_a1, kind="people", upload=upload(data, name))
    assert ImportJob.objects.count() == n


def test_a_200_mb_upload_is_refused_by_size(world) -> None:
    big = upload(b"PK\x03\x04")
    big.size = 200 * 1024 * 1024
    with pytest.raises(ServiceError, match=r"文件过大（200 MB），单个文件不能超过 120 MB"):
        services.job_create(actor=world.users["cadre"], org=world.city_a1, kind="people", upload=big)


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"0" * 300_000_000}, "疑似压缩炸弹"),
        (
            {
                "[Content_Types].xml": b"<x/>",
                "xl/sharedStrings.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><sst>&b;</sst>',
                "xl/worksheets/sheet1.xml": b"<w/>",
            },
            "不允许的 XML 声明",
        ),
        ({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"<w/>", "xl/vbaProject.bin": b"macro"}, "包含宏"),
    ],
)
def test_zip_and_xml_bombs_and_macros_are_refused(world, parts, message) -> None:
    with pytest.raises(ServiceError, match=message):
        services.job_create(actor=world.users["cadre"], org=world.city_a1, kind="people", upload=upload(_zip(parts)))


def test_the_template_has_headers_dropdowns_an_example_and_notes(world, as_user) -> None:
    r = as_user("cadre").get("/imports/templates/people.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    wb = CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    assert wb.sheet_names == ["会员名册", "选项", "填写说明"]
    sheet = wb.get_sheet_by_name("会员名册").to_python()
    assert sheet[0] == ROLL_HEADERS and sheet[1][:2] == ["张三", "340181198505060016"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<dataValidation ") == 9  # 会籍状态, 民族, 政治面貌, 学历, 学位, 技能等级, 户籍类型, 婚姻状况, 农民工
    notes = wb.get_sheet_by_name("填写说明").to_python()
    assert ["身份证号", "18位（15位自动升位）；单元格请设为文本，避免被 Excel 改成科学计数法。"] in [row[:2] for row in notes]


def test_the_upload_page_and_progress_partial(world, as_user, django_capture_on_commit_callbacks) -> None:
    c = as_user("cadre")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            f"/orgs/{world.city_a1.pk}/imports/new/", {"kind": "people", "file": upload(xlsx_bytes([roll_row("甲", new_id(), world.unit_a1.code)]))}
        )
    job = ImportJob.objects.get()
    assert (r.status_code, r["Location"], job.status) == (302, f"/imports/{job.uid}/", "valid")
    page = c.get(f"/imports/{job.uid}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="count-create">1<' in page and "确认导入（新增 1，更新 0）" in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/imports/{job.uid}/apply/")
    job.refresh_from_db()
    assert (job.status, Person.objects.filter(name="甲").count()) == ("applied", 1)
    # another cadre of the same union cannot see the job
    assert as_user("org_admin").get(f"/imports/{job.uid}/").status_code == 404


def test_an_org_out_of_scope_cannot_be_imported_into(world) -> None:
    Org.objects.filter(pk=world.unit_a1.pk)  # the cadre's own union is fine; a sibling's is not
    job = run(world, xlsx_bytes([roll_row("甲", new_id(), world.unit_b.code)]))
    assert job.errors == [[2, "所在工会编码", f"“{world.unit_b.code}”不存在或不在您的管理范围内"]]


def test_full_width_punctuation_in_names_is_kept(world) -> None:
    job = run(world, xlsx_bytes([roll_row("欧阳（小）明", new_id(), world.unit_a1.code)]))
    assert job.status == "applied" and Person.objects.filter(name="欧阳（小）明").count() == 1


def test_interrupted_jobs_are_failed_and_their_staging_dropped(world) -> None:
    import datetime as dt

    import time_machine

    actor = world.users["cadre"]
    job = services.job_create(
        actor=actor, org=world.city_a1, kind="people", upload=upload(xlsx_bytes([roll_row("甲", new_id(), world.unit_a1.code)]))
    )
    job = services.job_preview(job_id=job.pk)
    services.job_request_apply(actor=actor, job=job)  # claimed; the worker then "crashes"
    assert PersonImportRow.objects.filter(job_id=job.pk).count() == 1
    assert services.jobs_cleanup() == 0  # not stale yet
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        assert services.jobs_cleanup() == 1
    job.refresh_from_db()
    assert (job.status, PersonImportRow.objects.filter(job_id=job.pk).count(), Person.objects.filter(name="甲").count()) == ("failed", 0, 0)


def test_the_cleanup_fails_a_job_in_its_uploaders_language(world) -> None:
    import datetime as dt

    import time_machine
    from django.utils import translation

    actor = world.users["cadre"]
    with translation.override("en"):  # the uploader's request
        job = services.job_create(
            actor=actor, org=world.city_a1, kind="people", upload=upload(xlsx_bytes([roll_row("甲", new_id(), world.unit_a1.code)]))
        )
        job = services.job_preview(job_id=job.pk)
        services.job_request_apply(actor=actor, job=job)
    with translation.override("zh-hans"), time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):  # cron: the site's language
        assert services.jobs_cleanup() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (
        "failed",
        "The import was interrupted (service restart or failure); nothing was written. Upload the file again",
    )


def test_a_tiny_file_naming_a_far_away_cell_is_refused_before_parsing(world) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("会员名册")
    ws.write_row(0, 0, ROLL_HEADERS)
    ws.write(1_048_575, 16_383, "x")  # XFD1048576: the parser would allocate the whole rectangle
    wb.close()
    assert len(buf.getvalue()) < 10_000
    job = run(world, buf.getvalue())
    assert (job.status, job.message) == (
        "invalid",
        "工作表中有超出范围的单元格（XFD1048576）：请只保留模板的列，删除表格右侧和下方的多余内容后重新上传",
    )


def test_a_dtd_hidden_after_a_long_comment_is_refused(world) -> None:
    parts = {
        "[Content_Types].xml": b"<x/>",
        "xl/worksheets/sheet1.xml": b"<w/>",
        "xl/sharedStrings.xml": b'<?xml version="1.0"?><!--' + b"x" * 6000 + b'--><!DOCTYPE l [<!ENTITY a "aaaa">]><sst>&a;</sst>',
    }
    job = services.job_create(actor=world.users["cadre"], org=world.city_a1, kind="people", upload=upload(_zip(parts)))
    job = services.job_preview(job_id=job.pk)
    assert (job.status, job.message) == ("invalid", "文件包含不允许的 XML 声明，已拒绝")


def test_an_encrypted_zip_member_is_a_clear_error_not_a_crash(world) -> None:
    data = bytearray(_zip({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"<w/>"}))
    data[6] |= 0x01  # general-purpose flag bit 0, "encrypted": local header …
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # … and central directory, which zipfile reads
    n = ImportJob.objects.count()
    with pytest.raises(ServiceError, match="文件已损坏或已加密"):
        services.job_create(actor=world.users["cadre"], org=world.city_a1, kind="people", upload=upload(bytes(data)))
    assert ImportJob.objects.count() == n


def test_rows_may_only_name_unions_under_the_jobs_union(world) -> None:
    # the cadre operates on city_a1's subtree, but this job is for unit_a1: city_a1 itself is out
    actor = world.users["cadre"]
    job = services.job_create(
        actor=actor, org=world.unit_a1, kind="people", upload=upload(xlsx_bytes([roll_row("甲", new_id(), world.city_a1.code)]))
    )
    job = services.job_preview(job_id=job.pk)
    assert job.errors == [[2, "所在工会编码", f"“{world.city_a1.code}”不存在或不在您的管理范围内"]]


def test_row_numbers_are_excels_even_when_the_table_starts_lower(world) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("会员名册")
    ws.write_row(2, 0, ROLL_HEADERS)  # two blank rows above the header
    ws.write_row(3, 0, roll_row("好行", new_id(), world.unit_a1.code))
    ws.write_row(4, 0, roll_row("坏行", "340181198505060018", world.unit_a1.code))
    wb.close()
    job = run(world, buf.getvalue())
    assert (job.status, job.errors) == ("invalid", [[5, "身份证号", "身份证号校验位不正确，请核对后重新输入"]])


def test_a_table_not_starting_in_column_a_is_explained(world) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("会员名册")
    ws.write_row(0, 1, ROLL_HEADERS)
    ws.write_row(1, 1, roll_row("甲", new_id(), world.unit_a1.code))
    wb.close()
    job = run(world, buf.getvalue())
    assert (job.status, job.message) == ("invalid", "表头应从A列开始：请删除表格左侧的空列后重新上传")
