"""Workbooks we hand out: the template of a kind, and the error report of a job."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter

from gonghui.lib.cells import safe_cell

from .kinds import RowError
from .reading import Column


def template(*, sheet_name: str, columns: list[Column], title: str) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#FBE9E7", "border": 1})
    req = wb.add_format({"bold": True, "bg_color": "#FFCDD2", "border": 1, "font_color": "#B71C1C"})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet(sheet_name)
    lists = wb.add_worksheet("选项")
    for i, col in enumerate(columns):
        ws.write_string(0, i, col.header, req if col.required else head)
        ws.set_column(i, i, max(10, len(col.header) * 2 + 4), text if col.text else (date if "日期" in col.header else None))
        ws.write_string(1, i, col.example)
        if col.choices:
            for j, choice in enumerate(col.choices):
                lists.write_string(j, i, choice)
            ref = f"=选项!${xlsxwriter.utility.xl_col_to_name(i)}$1:${xlsxwriter.utility.xl_col_to_name(i)}${len(col.choices)}"
            ws.data_validation(1, i, 1_048_575, i, {"validate": "list", "source": ref, "error_message": f"请从下拉列表中选择{col.header}"})
    ws.freeze_panes(1, 0)
    lists.hide()
    notes = wb.add_worksheet("填写说明")
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90)
    notes.write_string(0, 0, title, head)
    notes.write_string(1, 0, "说明", head)
    notes.write_string(1, 1, "第一行为表头，请勿修改、合并或调整顺序；从第二行起每行一人，示例行可直接覆盖。标红的列必填。", None)
    for i, col in enumerate(columns, start=3):
        notes.write_string(i, 0, col.header, req if col.required else head)
        choices = f"可选值：{'、'.join(col.choices)}。" if col.choices else ""
        notes.write_string(i, 1, (col.note + choices).strip())
    wb.close()
    return buf.getvalue()


def error_report(*, sheet_name: str, columns: list[Column], rejected: dict[int, list[Any]], errors: Iterable[RowError]) -> bytes:
    """The rejected rows as they were, with their row number and every problem named."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"{e.column}：{e.reason}" if e.column else e.reason)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#FBE9E7", "border": 1})
    bad = wb.add_format({"font_color": "#B00020", "text_wrap": True})
    ws = wb.add_worksheet(sheet_name)
    ws.write_string(0, 0, "原行号", head)
    for i, col in enumerate(columns, start=1):
        ws.write_string(0, i, col.header, head)
    ws.write_string(0, len(columns) + 1, "错误说明", head)
    ws.set_column(len(columns) + 1, len(columns) + 1, 60)
    for r, row_no in enumerate(sorted(by_row), start=1):
        ws.write_number(r, 0, row_no)
        for i, value in enumerate(rejected.get(row_no, []), start=1):
            ws.write_string(r, i, safe_cell(value))
        ws.write_string(r, len(columns) + 1, "；".join(by_row[row_no]), bad)
    ws.freeze_panes(1, 1)
    wb.close()
    return buf.getvalue()
