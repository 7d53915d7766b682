"""The demo's hardship work at 界首 (issue #5): the seed page's 城镇困难职工解困脱困工作, as household
files in every pool, recorded through the same services as the UI.

界首市总工会 is the 帮扶中心 (a county-level union): its cadre 王立新 builds, reviews, publicizes
and approves; 陈静 of the hospital union is the contact of the hospital's file; its admin funds the
2021 budgets and approves the payments (maker and checker are different people).

The services read the clock (a transition is dated when it is made, a notice period must run out
before approval), so the demo sets the clock to each moment of 2021 while it records it.

Files (2021), at 界首市总工会 and three of its unions:
  1 华铂 worker        在档 深度, adjusted to 区县级; 生活救助 ¥6,200 paid (中央财政专项资金),
                       医疗救助 ¥8,000 approved (本级工会经费)
  2 人民医院 nurse      在档 相对; 金秋助学 ¥3,000 approved (社会捐助, in the 2021年金秋助学 campaign)
  3 田营 migrant worker 在档 深度 (rural standard), 农民工; 生活救助 ¥5,000 paid (中央财政专项资金)
  4 flexible worker     临时救助 (a temporary file at the 帮扶中心), never helped, not visited since March
  5 华铂 worker        公示中 (notice 24–30 May)
  6 人民医院 worker     已退回 at review (the 民政 check found a vehicle)
  7 华铂 worker        已脱困 in May
  8 田营 worker         已注销 (retired) in April
Each on-record file has a contact; 1–3 were visited again in the second quarter.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.hardship import services as hardship
from gonghui.hardship.models import HardshipFile
from gonghui.hardship.services import MemberInput
from gonghui.lib import names
from gonghui.money import services as money
from gonghui.money.models import Programme
from gonghui.orgs.models import Org
from gonghui.people.models import Person

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2021
REGION = "341282"  # 界首市
# 界首's 2021 低保 per person and month: plausible figures for the demo, not an official table.
DIBAO = {"urban": "620", "rural": "560"}
# …and this year's, so a cadre trying the demo today can edit and re-assess a file (same caveat).
DIBAO_NOW = {"urban": "780", "rural": "700"}
BUDGETS = {"living": 5_000_000, "medical": 5_000_000, "study": 2_000_000}  # fen: ¥50,000 / ¥50,000 / ¥20,000


@contextmanager
def clock(m: int, d: int, h: int = 10) -> Iterator[None]:
    """The services' clock at a moment of 2021 (Shanghai time)."""
    at = dt.datetime(YEAR, m, d, h, tzinfo=TZ)
    with mock.patch.object(timezone, "now", lambda: at):
        yield


class _Household:
    """Spouses and children with fresh, deterministic ID numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def number(self, *, child: bool = False) -> str:
        while True:
            n = names.person_id(self.rng, REGION, min_age=6 if child else 25, max_age=17 if child else 55, today=dt.date(YEAR, 1, 1))
            if n not in self.used:
                self.used.add(n)
                return n

    def members(self, holder: Person, *, wage: str, spouse_work: str = "unemployed", children: int = 1, **holder_kw: Any) -> list[MemberInput]:
        out = [MemberInput(relation="self", name=holder.name, id_number=holder.id_number(), work_status="employed", wage=wage, **holder_kw)]
        out.append(MemberInput(relation="spouse", name=names.person_name(self.rng), id_number=self.number(), work_status=spouse_work))
        out += [
            MemberInput(relation="child", name=names.person_name(self.rng), id_number=self.number(child=True), work_status="student")
            for _ in range(children)
        ]
        return out


def load(rng: random.Random, orgs: dict[str, Org], people: dict[str, list[Person]]) -> dict[str, HardshipFile]:
    users = {u.username: u for u in User.objects.filter(username__in=["jieshou_cadre", "jieshou_admin", "jieshou_hospital"])}
    center, admin, nurse = users["jieshou_cadre"], users["jieshou_admin"], users["jieshou_hospital"]
    js, huabo, hospital, tianying = orgs["js"], orgs["js_u2"], orgs["js_u3"], orgs["js_u1"]
    home = _Household(rng)
    this_year = timezone.localdate().year
    for area, monthly in DIBAO_NOW.items():
        hardship.standard_set(actor=admin, region_code=REGION, year=this_year, area=area, monthly=monthly)
    with clock(2, 20):
        for area, monthly in DIBAO.items():
            hardship.standard_set(actor=admin, region_code=REGION, year=YEAR, area=area, monthly=monthly)

    def draft(org: Org, holder: Person, data: dict[str, Any], **household: Any) -> HardshipFile:
        with clock(3, 1):
            return hardship.file_create(
                actor=center, org=org, holder=holder, data={"region_code": REGION} | data, members=home.members(holder, **household)
            )

    files = {
        "deep": draft(
            huabo, people[huabo.code][10], {"cause_main": "illness", "cause_secondary": "education", "medical_expense": "8000"}, wage="12000"
        ),
        "relative": draft(
            hospital, people[hospital.code][10], {"cause_main": "education", "education_expense": "3000", "job_cost": "6000"}, wage="36000"
        ),
        "migrant": draft(
            tianying,
            people[tianying.code][10],
            {"cause_main": "injury", "area": "rural", "is_migrant_worker": True, "medical_expense": "2000"},
            wage="9000",
            children=0,
        ),
        "temporary": draft(
            js, people[js.code][10], {"cause_main": "accident", "kind": "temporary", "accident_event": "2021年2月家中失火"}, wage="10000"
        ),
        "publicized": draft(huabo, people[huabo.code][11], {"cause_main": "closure"}, wage="15000"),
        "returned": draft(hospital, people[hospital.code][11], {"cause_main": "illness", "medical_expense": "5000"}, wage="18000"),
        "lifted": draft(huabo, people[huabo.code][12], {"cause_main": "unemployment"}, wage="14000"),
        "cancelled": draft(tianying, people[tianying.code][11], {"cause_main": "illness", "medical_expense": "4000"}, wage="13000"),
    }
    for key in ("deep", "relative", "migrant", "temporary", "lifted", "cancelled"):
        _intake(files[key], center)
    with clock(3, 3):
        for key in ("publicized", "returned"):
            _intake(files[key], center, until="visited")
        hardship.file_return(actor=center, file=files["returned"], reason="经民政部门核对，家庭名下有营运车辆一辆，不符合建档条件")
    with clock(5, 24):
        hardship.file_review(actor=center, file=files["publicized"])
        hardship.file_publicize(actor=center, file=files["publicized"], notice_from=dt.date(YEAR, 5, 24), notice_to=dt.date(YEAR, 5, 30))
    with clock(4, 20):
        hardship.file_cancel(actor=center, file=files["cancelled"], reason_code="retired", note="办理退休，纳入退休人员帮扶")
    with clock(5, 10):
        hardship.file_lift(actor=center, file=files["lifted"], reason="本人再就业，家庭人均收入超过低保标准两倍")
    with clock(6, 1):
        hardship.file_adjust(actor=center, file=files["deep"], level="county", reason="年中复核，纳入县级困难职工档案")
    _contacts_and_visits(files, center=center, nurse=nurse)
    for f in files.values():
        f.refresh_from_db()  # the services worked on locked copies
    _aid(files, js=js, maker=center, checker=admin)
    return files


def _intake(file: HardshipFile, cadre: User, *, until: str = "") -> None:
    """申请 → 初审 → 入户调查 (in March) → 复核 → 公示 (8–14 March) → 建档."""
    with clock(3, 1):
        hardship.file_submit(actor=cadre, file=file)
        hardship.file_prelim(actor=cadre, file=file, note="材料齐全")
    with clock(3, 3):
        hardship.file_visit(
            actor=cadre, file=file, visited_on=dt.date(YEAR, 3, 3), channel="home", cause_note=f"{file.get_cause_main_display()}致困",
            needs_note="生活和医疗费用", measures_note="申请帮扶，联系社区落实低保", application_signed=True, consent_signed=True,
        )  # fmt: skip
    if until == "visited":
        return
    with clock(3, 8):
        hardship.file_review(actor=cadre, file=file, note="民政核对无异常")
        hardship.file_publicize(actor=cadre, file=file, notice_from=dt.date(YEAR, 3, 8), notice_to=dt.date(YEAR, 3, 14))
    with clock(3, 15):
        hardship.file_approve(actor=cadre, file=file)


def _contacts_and_visits(files: dict[str, HardshipFile], *, center: User, nurse: User) -> None:
    with clock(3, 16):
        for key in ("deep", "migrant", "temporary"):
            hardship.contact_assign(actor=center, file=files[key], cadre=center)
        hardship.contact_assign(actor=center, file=files["relative"], cadre=nurse)
    second_quarter = [
        ("deep", center, (4, 12), "home", "丈夫尿毒症透析，医疗费用负担重", "医疗费用", "申请医疗救助"),
        ("relative", nurse, (5, 18), "phone", "子女上大学，学费负担重", "助学", "申请金秋助学"),
        ("migrant", center, (6, 8), "home", "工伤后收入减少", "生活费用", "协调用人单位落实工伤待遇"),
    ]
    for key, who, (m, d), channel, cause, needs, measures in second_quarter:
        with clock(m, d):
            hardship.visit_record(
                actor=who,
                file=files[key],
                visited_on=dt.date(YEAR, m, d),
                channel=channel,
                cause_note=cause,
                needs_note=needs,
                measures_note=measures,
            )


def _aid(files: dict[str, HardshipFile], *, js: Org, maker: User, checker: User) -> None:
    """2021 budgets of 界首市总工会 and payments through the money engine."""
    with clock(4, 1):
        env = {}
        for code, amount in BUDGETS.items():
            env[code] = money.envelope_create(actor=checker, programme=Programme.objects.get(code=code), org=js, year=YEAR)
            money.envelope_fund(actor=checker, envelope=env[code], amount=amount, memo=f"{YEAR}年帮扶资金预算")
    with clock(4, 15):
        living = [
            hardship.aid_apply(actor=maker, file=files["deep"], envelope=env["living"], amount=620_000, fund_source="central"),
            hardship.aid_apply(actor=maker, file=files["migrant"], envelope=env["living"], amount=500_000, fund_source="central"),
        ]
        for app in living:
            money.application_approve(actor=checker, application=app, note="符合生活救助条件")
    with clock(4, 28):
        batch = money.batch_create(actor=maker, org=js, applications=living)
        money.batch_post(actor=checker, batch=batch)
    with clock(5, 20):
        medical = hardship.aid_apply(actor=maker, file=files["deep"], envelope=env["medical"], amount=800_000, self_paid="12000")
        money.application_approve(actor=checker, application=medical)
    with clock(6, 1):
        autumn = money.campaign_create(actor=checker, org=js, name=f"{YEAR}年金秋助学", starts_on=dt.date(YEAR, 6, 1), ends_on=dt.date(YEAR, 9, 30))
    with clock(6, 10):
        study = hardship.aid_apply(actor=maker, file=files["relative"], envelope=env["study"], amount=300_000, fund_source="social", campaign=autumn)
        money.application_approve(actor=checker, application=study)
