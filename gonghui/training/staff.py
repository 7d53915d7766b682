"""Staff lists for a training plan: the member roll of a union's subtree, or an uploaded .xlsx.

An uploaded list goes through the import framework's guards and sheet reader; every bad row is
named by its Excel row number and column, and nothing is written while any row is bad. People
are matched by ID number (blind index) and must belong to the plan's union subtree; a number that
matches nobody there reads the same as one outside it, so the message leaks nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gonghui.imports import guard
from gonghui.imports.reading import Column, clean_code, clean_text, open_sheet
from gonghui.lib.errors import ServiceError
from gonghui.lib.masking import mask_id
from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.people.models import Membership
from gonghui.people.services import find_by_id_number

from .services import DEPARTMENT_MAX, MAX_STAFF, StaffEntry

SHEET = "培训名单"
COLUMNS = [
    Column("name", "姓名", required=True, example="张三"),
    Column("id_number", "身份证号", required=True, text=True, example="340104198001010011"),
    Column("department", "部门", required=True, example="办公室"),
]
MAX_ERRORS = 200


class StaffListInvalid(ServiceError):
    """Every bad row of an uploaded list, each message naming its row and column."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS]
        more = _("；另有%(n)d处错误未列出") % {"n": len(errors) - MAX_ERRORS} if len(errors) > MAX_ERRORS else ""
        listed = "；".join(shown[:3]) + ("……" if len(shown) > 3 else "") + more
        super().__init__(_("名单有%(n)d处错误，未建立培训计划：%(errors)s") % {"n": len(errors), "errors": listed}, field="file")
        self.errors = shown


def from_roll(user: Any, org: Org) -> list[StaffEntry]:
    """Members (会员 and 保留会籍) of ``org``'s subtree within the user's operate scope; the
    department is the member's own union (the unit inside the subtree they belong to)."""
    qs = (
        Membership.objects.filter(prefix_q("org_path", org.path), status__in=Membership.COUNTED)
        .filter(policy.scope_q(user, "operate", field="org_path"))
        .select_related("person", "org")
        .order_by("org_path", "id")
    )
    return [StaffEntry(person=m.person, department=m.org.name[:DEPARTMENT_MAX]) for m in qs]


def from_upload(upload: UploadedFile, *, org: Org) -> list[StaffEntry]:
    guard.check_upload(upload.name or "", upload.size or 0)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "staff.xlsx"
        with path.open("wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        guard.check_xlsx(path)
        guard.check_contents(path)
        return read_sheet(path, org=org)


def read_sheet(path: Path, *, org: Org) -> list[StaffEntry]:
    sheet = open_sheet(path, sheet_name=SHEET, columns=COLUMNS)
    if sheet.total > MAX_STAFF:
        raise ServiceError(_("名单最多%(max)d人，文件有%(n)d行") % {"max": MAX_STAFF, "n": sheet.total}, field="file")
    errors: list[str] = []
    out: list[StaffEntry] = []
    first_row: dict[int, int] = {}
    for n, (raw_name, raw_id, raw_dept) in sheet.rows:
        name, number, dept = clean_text(raw_name), clean_code(raw_id), clean_text(raw_dept)
        row_errors: list[str] = []
        if not name:
            row_errors.append(_("第%(row)d行“%(column)s”：不能为空") % {"row": n, "column": "姓名"})
        if not dept:
            row_errors.append(_("第%(row)d行“%(column)s”：不能为空") % {"row": n, "column": "部门"})
        elif len(dept) > DEPARTMENT_MAX:
            row_errors.append(_("第%(row)d行“%(column)s”：不能超过%(max)d个字") % {"row": n, "column": "部门", "max": DEPARTMENT_MAX})
        person = None
        if not number:
            row_errors.append(_("第%(row)d行“%(column)s”：不能为空") % {"row": n, "column": "身份证号"})
        else:
            try:
                person = find_by_id_number(number)
            except ServiceError as e:
                row_errors.append(_("第%(row)d行“%(column)s”：%(message)s") % {"row": n, "column": "身份证号", "message": e.message})
            else:
                if person is None or not person.org_path.startswith(org.path):
                    row_errors.append(
                        _("第%(row)d行“%(column)s”：%(id)s 在%(org)s及下级工会中没有登记")
                        % {"row": n, "column": "身份证号", "id": mask_id(number), "org": org.name}
                    )
                    person = None
        if person is not None:
            if name and name != person.name:
                row_errors.append(
                    _("第%(row)d行“%(column)s”：与身份证号 %(id)s 登记的姓名不一致") % {"row": n, "column": "姓名", "id": person.id_masked}
                )
            if person.pk in first_row:
                row_errors.append(_("第%(row)d行“%(column)s”：与第%(first)d行重复") % {"row": n, "column": "身份证号", "first": first_row[person.pk]})
            else:
                first_row[person.pk] = n
        if row_errors:
            errors.extend(row_errors)
        elif person is not None:
            out.append(StaffEntry(person=person, department=dept))
    if errors:
        raise StaffListInvalid(errors)
    if not out:
        raise ServiceError(_("名单中没有人员"), field="file")
    return out
