"""Test factories: orgs, people and users made through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from gonghui.accounts.models import RoleGrant, User
from gonghui.lib.idcard import make_id
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org
from gonghui.people import services as people_services
from gonghui.people.models import Membership, Person

L, T = Org.Level, Org.OrgType
_seq = itertools.count(1)


def make_org(parent: Org | None, name: str, level: str, *, region: str = "340100", org_type: str | None = None) -> Org:
    return org_services.org_create(
        actor=None,
        parent=parent,
        data={"name": name, "level": level, "org_type": org_type or (T.SINGLE if level == L.GRASSROOTS else T.FEDERATION), "region_code": region},
    )


def new_id(region: str = "340100", *, sex: str = "M") -> str:
    # Births cycle through 1980–2004 (valid even when a test travels back to 2020); the sequence
    # digits change each cycle, so numbers stay unique for 900,000 calls in one run.
    n = next(_seq)
    return make_id(region, dt.date(1980, 1, 1) + dt.timedelta(days=n % 9000), (n // 9000) % 100, sex=sex)


def make_person(
    org: Org, name: str = "张三", *, phone: str | None = None, status: str = Membership.Status.ACTIVE, id_number: str | None = None
) -> Person:
    n = next(_seq)
    return people_services.person_register(
        actor=None,
        org=org,
        data={"name": name, "id_number": id_number or new_id(org.region_code), "phone": phone if phone is not None else f"139{n:08d}"},
        membership_status=status,
    )


def make_user(
    username: str, role: str | None = None, *, org: Org | None = None, alliance: Any = None, person: Person | None = None, can_reveal: bool = False
) -> User:
    user = User.objects.create(username=username, person=person)
    if role:
        RoleGrant.objects.create(user=user, role=role, org=org, alliance=alliance, can_reveal=can_reveal, granted_at=timezone.now())
    return user


@dataclass
class World:
    root: Org
    prov_a: Org
    city_a1: Org
    unit_a1: Org
    city_a2: Org
    unit_a2: Org
    prov_b: Org
    unit_b: Org
    alliance: Any
    alliance_b: Any
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    # The org a relation name stands for, seen from the personas' node city_a1.
    def org_for(self, relation: str) -> Org:
        return {"own": self.unit_a1, "sibling": self.unit_a2, "ancestor": self.prov_a, "other": self.unit_b}[relation]


ROLL_HEADERS = [
    "姓名",
    "身份证号",
    "手机号",
    "所在工会编码",
    "会籍状态",
    "入会日期",
    "会员证号",
    "民族",
    "政治面貌",
    "学历",
    "学位",
    "技能等级",
    "户籍类型",
    "婚姻状况",
    "农民工",
]


def roll_row(name: str, id_number: Any, org_code: str, **extra: Any) -> list[Any]:
    values = {
        "手机号": "",
        "会籍状态": "会员",
        "入会日期": "2021-05-14",
        "民族": "汉族",
        "政治面貌": "群众",
        "学历": "大学本科",
        "农民工": "否",
    } | extra
    return [name, id_number, values.get("手机号", ""), org_code, *[values.get(h, "") for h in ROLL_HEADERS[4:]]]


def xlsx_bytes(rows: list[list[Any]], *, headers: list[str] | None = None, sheet: str = "会员名册", merge_header: bool = False) -> bytes:
    """A workbook as a cadre would fill it (xlsxwriter; strings stay strings)."""
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    hs = ROLL_HEADERS if headers is None else headers
    for i, h in enumerate(hs):
        if not (merge_header and i == 1):  # a merged header spans two columns: the second is empty
            ws.write(0, i, h)
    if merge_header:
        ws.merge_range(0, 0, 0, 1, hs[0], wb.add_format({"bold": True}))
    for r, row in enumerate(rows, start=1):
        for i, v in enumerate(row):
            if isinstance(v, dt.date):
                ws.write_datetime(r, i, dt.datetime(v.year, v.month, v.day), wb.add_format({"num_format": "yyyy-mm-dd"}))  # noqa: DTZ001 - Excel dates are naive
            elif v is not None:
                ws.write(r, i, v)
    wb.close()
    return buf.getvalue()
