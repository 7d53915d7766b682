"""Org import (组织登记): create or update orgs by code, parents by code (in the file or on record).

Orgs are few (a province has thousands), so the apply runs the real services row by row, in file
order, inside one transaction: every rule of ``org_create`` / ``org_update`` applies as in the UI.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.imports.kinds import Preview, RowError
from gonghui.imports.reading import Column, Sheet, clean_code, clean_text, parse_date
from gonghui.lib.errors import ServiceError
from gonghui.lib.textrange import prefix_q

from . import policy, services
from .models import Org

LEVELS = {str(label): value for value, label in Org.Level.choices}
TYPES = {str(label): value for value, label in Org.OrgType.choices}
CATEGORIES = {str(label): value for value, label in Org.UnitCategory.choices}
COLUMNS = [
    Column("code", "组织编码", required=True, text=True, note="基层工会统计编码或本系统的组织编码；已存在则更新该组织。", example="D340181-Y015"),
    Column("name", "名称", required=True, note="不超过100字。", example="巢湖市某某有限公司工会"),
    Column(
        "parent_code",
        "上级组织编码",
        required=True,
        text=True,
        note="上级须已在系统中或在本表更靠前的行中；须在您的管理范围内。",
        example="D340181-0012",
    ),
    Column("level", "层级", required=True, choices=tuple(LEVELS), example="基层"),
    Column("org_type", "组织类型", required=True, choices=tuple(TYPES), example="单独基层工会"),
    Column("region_code", "行政区划代码", required=True, text=True, note="GB/T 2260，6位数字。", example="340181"),
    Column("short_name", "简称"),
    Column("unit_name", "所在单位", example="巢湖市某某有限公司"),
    Column("unit_credit_code", "统一社会信用代码", text=True, note="18位。"),
    Column("unit_category", "单位类别", choices=tuple(CATEGORIES), example="内资企业"),
    Column("established_on", "成立日期", example="2021-05-14"),
    Column("contact", "办公联系方式", note="单位办公电话或地址，勿填个人手机号。"),
]
FIELDS = [c.key for c in COLUMNS if c.key not in ("code", "parent_code")]


class OrgKind:
    key = "orgs"
    title = "组织登记导入模板"
    sheet_name = "组织登记"
    columns = COLUMNS

    def preview(self, *, job: Any, sheet: Sheet, progress: Callable[[int], None]) -> Preview:
        in_job = Org.objects.filter(prefix_q("path", job.org.path)).filter(policy.scope_q(job.created_by, "manage"))
        manageable = {o.code: o for o in in_job}
        counts = {"create": 0, "update": 0, "unchanged": 0, "reject": 0}
        errors: list[RowError] = []
        rejected: dict[int, list[Any]] = {}
        staged: list[dict[str, Any]] = []
        in_file: dict[str, int] = {}
        done = 0
        for row, cells in sheet.rows:
            done += 1
            if done % 1000 == 0:
                progress(done)
            values, problems = _parse(cells)
            code, parent_code = values["code"], values["parent_code"]
            if code in in_file:
                problems.append(("组织编码", _("与第%(row)d行重复") % {"row": in_file[code]}))
            existing = Org.objects.filter(code=code).first() if code else None
            if existing is not None and code not in manageable:
                problems.append(("组织编码", _("“%(code)s”已被其他组织使用，或不在您的管理范围内") % {"code": code}))
            parent_ok = parent_code in manageable or parent_code in in_file
            if parent_code and not parent_ok:
                problems.append(("上级组织编码", _("“%(code)s”不存在或不在您的管理范围内（本表中的上级须在更靠前的行）") % {"code": parent_code}))
            if existing is not None and parent_code and existing.parent and existing.parent.code != parent_code:
                problems.append(("上级组织编码", _("与系统中的上级不同；调整隶属关系请在组织页面办理")))
            if problems:
                counts["reject"] += 1
                rejected[row] = cells
                errors.extend(RowError(row, column, reason) for column, reason in problems)
                continue
            in_file[code] = row
            if existing is None:
                counts["create"] += 1
                staged.append({"row": row, "action": "create", **values})
            elif any(getattr(existing, f) != values[f] for f in FIELDS):
                counts["update"] += 1
                staged.append({"row": row, "action": "update", **values})
            else:
                counts["unchanged"] += 1
        progress(done)
        job.staged = [] if counts["reject"] else [{**r, "established_on": r["established_on"] and r["established_on"].isoformat()} for r in staged]
        type(job).objects.filter(pk=job.pk).update(staged=job.staged)
        return Preview(counts=counts, errors=errors, rejected=rejected)

    def apply(self, *, job: Any) -> dict[str, int]:
        created = updated = 0
        with transaction.atomic():
            for r in job.staged:
                data = {f: r[f] for f in FIELDS} | {"code": r["code"]}
                if data["established_on"]:
                    data["established_on"] = parse_date(data["established_on"])
                try:
                    if r["action"] == "create":
                        parent = Org.objects.get(code=r["parent_code"])
                        if not policy.user_can(job.created_by, "manage", parent):
                            raise ServiceError(_("上级组织不在您的管理范围内"), field="parent")
                        services.org_create(actor=job.created_by, parent=parent, data=data)
                        created += 1
                    else:
                        org = Org.objects.get(code=r["code"])
                        services.org_update(actor=job.created_by, org=org, data=data)
                        updated += 1
                except ServiceError as e:
                    # The data changed since the preview: nothing of the file is kept.
                    raise ServiceError(_("第%(row)d行：%(message)s") % {"row": r["row"], "message": e.message}, field=e.field) from None
        return {"created": created, "updated": updated}

    def discard(self, *, job: Any) -> None:
        type(job).objects.filter(pk=job.pk).update(staged=[])


def _parse(cells: list[Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    raw = dict(zip((c.key for c in COLUMNS), cells, strict=True))
    codes = ("code", "parent_code", "region_code", "unit_credit_code")
    v: dict[str, Any] = {k: (clean_code if k in codes else clean_text)(raw[k]) for k in raw if k != "established_on"}
    problems: list[tuple[str, str]] = []
    for col in COLUMNS:
        if col.required and not v.get(col.key):
            problems.append((col.header, _("不能为空")))
    if len(v["name"]) > 100:
        problems.append(("名称", _("不能超过100字")))
    for key, mapping in (("level", LEVELS), ("org_type", TYPES), ("unit_category", CATEGORIES)):
        header = next(c.header for c in COLUMNS if c.key == key)
        if v[key]:
            if v[key] not in mapping:
                problems.append((header, _("“%(value)s”不是可选值（%(choices)s）") % {"value": v[key], "choices": "、".join(mapping)}))
            else:
                v[key] = mapping[v[key]]
    if v["region_code"] and not re.fullmatch(r"\d{6}", v["region_code"]):
        problems.append(("行政区划代码", _("应为6位数字（GB/T 2260）")))
    if v["unit_credit_code"] and not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", v["unit_credit_code"]):
        problems.append(("统一社会信用代码", _("应为18位（数字或大写字母，不含I、O、Z、S、V）")))
    try:
        v["established_on"] = parse_date(raw["established_on"])
    except (ValueError, OverflowError):
        v["established_on"] = None
        problems.append(("成立日期", _("日期格式不正确，应如 2021-05-14")))
    return v, problems
