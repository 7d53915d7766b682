"""Reading an uploaded sheet: only the expected sheet and columns, values normalized."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from gonghui.lib.errors import ServiceError

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    choices: tuple[str, ...] = ()
    note: str = ""
    example: str = ""
    text: bool = False  # a code that must stay text in Excel (ID numbers, phone numbers)


@dataclass
class Sheet:
    rows: Iterator[tuple[int, list[Any]]]  # (Excel row number, raw cells)
    total: int
    headers: list[str] = field(default_factory=list)


def open_sheet(path: Path, *, sheet_name: str, columns: list[Column]) -> Sheet:
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises its own error types for damaged files
        raise ServiceError(_("文件无法读取，可能已损坏或不是 Excel 工作簿"), field="file") from None
    names = wb.sheet_names
    if sheet_name in names:
        sheet = wb.get_sheet_by_name(sheet_name)
    elif len(names) == 1:
        sheet = wb.get_sheet_by_index(0)
    else:
        raise ServiceError(_("找不到名为“%(sheet)s”的工作表（文件中有：%(names)s）") % {"sheet": sheet_name, "names": "、".join(names)}, field="file")
    height = sheet.height
    # calamine's range starts at the first non-empty cell: keep Excel's own row numbers.
    first_row, first_col = sheet.start if height else (0, 0)
    if first_col != 0:
        raise ServiceError(_("表头应从A列开始：请删除表格左侧的空列后重新上传"), field="file")
    it = iter(sheet.iter_rows())
    # iter_rows may yield the blank rows above the table (to_python does not): skip them.
    header = next((row for row in it if any(c not in ("", None) for c in row)), None)
    if header is None or height <= 1:
        raise ServiceError(_("工作表是空的：没有表头或没有数据行"), field="file")
    headers = [clean_code(h) for h in header]
    while headers and headers[-1] == "":
        headers.pop()
    expected = [c.header for c in columns]
    if headers != expected:
        raise ServiceError(describe_header_mismatch(headers, expected), field="file")
    width = len(expected)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for n, row in enumerate(it, start=first_row + 2):
            cells = list(row[:width]) + [""] * (width - len(row))
            if all(c == "" or c is None for c in cells):
                continue
            yield n, cells

    return Sheet(rows=rows(), total=height - 1, headers=headers)


def describe_header_mismatch(headers: list[str], expected: list[str]) -> str:
    if "" in headers:
        i = headers.index("")
        return _("表头第%(n)d列为空（可能是合并单元格）；请使用模板的表头，不要合并单元格") % {"n": i + 1}
    missing = [h for h in expected if h not in headers]
    extra = [h for h in headers if h not in expected]
    parts = []
    if missing:
        parts.append(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
    if extra:
        parts.append(_("多出列：%(columns)s") % {"columns": "、".join(extra)})
    if not parts:
        parts.append(_("列的顺序与模板不一致"))
    return _("表头与模板不一致：%(problems)s。请下载最新模板填写") % {"problems": "；".join(parts)}


def clean_text(value: Any) -> str:
    """Cell → text, trimmed; integral floats lose their ".0". Free text keeps its characters:
    full-width parentheses in a Chinese name are part of the name."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (value if isinstance(value, str) else str(value)).strip()


def clean_code(value: Any) -> str:
    """A code, number or date typed in a Chinese input method: full-width folded to half-width."""
    text = clean_text(value)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text).strip()
    return text


def parse_date(value: Any) -> dt.date | None:
    """A date cell, an Excel serial number, or text like 2021-05-14, 2021/5/14, 2021年5月14日, 20210514."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError
    text = clean_code(value)
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = _DATE_TEXT.match(text)
    if not m:
        raise ValueError
    return dt.date(int(m[1]), int(m[2]), int(m[3]))
