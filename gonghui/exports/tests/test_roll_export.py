from __future__ import annotations

import io
import tracemalloc
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEvent
from gonghui.exports import xlsx
from gonghui.people import services
from gonghui.people.exports import HEADERS


def read(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("会员名册").to_python()


def test_the_roll_exports_masked_with_the_page_filters(world, as_user) -> None:
    w = world
    p = services.person_register(
        actor=None, org=w.unit_a1, data={"name": '=HYPERLINK("http://x","y")', "id_number": "340181198505060024", "phone": "13812345678"}
    )
    r = as_user("cadre").get(f"/orgs/{w.city_a1.pk}/roll/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(r.streaming_content)
    rows = read(data)
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == ["own人员", p.name]
    assert rows[2][:6] == [p.name, "女", "1985", "340***********0024", "138****5678", "合肥甲公司工会"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "340181198505060024" not in sheet and "13812345678" not in sheet
    assert "<f>" not in sheet  # no formula anywhere
    assert 's="1"' in sheet  # the formula-like name carries the quotePrefix style
    r = as_user("cadre").get(f"/orgs/{w.city_a1.pk}/roll/export.xlsx?name=own")
    assert [row[0] for row in read(b"".join(r.streaming_content))[1:]] == ["own人员"]
    events = AuditEvent.objects.filter(action="people.export").order_by("id")
    assert [(e.actor_id, e.target_id, e.data) for e in events] == [
        (w.users["cadre"].pk, w.city_a1.pk, {"filters": []}),
        (w.users["cadre"].pk, w.city_a1.pk, {"filters": ["name"]}),
    ]


def test_a_cell_equal_to_1_plus_1_comes_out_as_text() -> None:
    data = b"".join(xlsx.stream(sheet_name="会员名册", headers=["值"], rows=[["=1+1"], ["+1"], ["-2"], ["@A1"], ["正常"]]))
    assert read(data) == [["值"], ["=1+1"], ["+1"], ["-2"], ["@A1"], ["正常"]]
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix) == ("=1+1", "s", True)
    assert ws["A6"].quotePrefix is False


def test_the_writer_keeps_memory_flat() -> None:
    tracemalloc.start()
    total = 0
    for chunk in xlsx.stream(sheet_name="s", headers=["a", "b"], rows=(["张三丰", str(i)] for i in range(60_000))):
        total += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # rows are flushed every 2,000: the peak is a few chunks, not the file
    assert total > 100_000


def test_characters_xml_forbids_are_dropped_so_the_file_opens() -> None:
    data = b"".join(xlsx.stream(sheet_name="会员名册", headers=["值"], rows=[["张\ufffe三\uffff"], ["李\ud800四"], ["王\x07五"]]))
    assert read(data) == [["值"], ["张三"], ["李四"], ["王五"]]
    openpyxl.load_workbook(io.BytesIO(data))  # a strict reader accepts it


def test_rows_beyond_excels_limit_end_with_a_note(monkeypatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    data = b"".join(xlsx.stream(sheet_name="会员名册", headers=["值"], rows=([str(i)] for i in range(10))))
    assert read(data) == [["值"], ["0"], ["1"], ["2"], ["……超过 Excel 单表行数上限，其余未导出；请缩小筛选范围后分批导出"]]
