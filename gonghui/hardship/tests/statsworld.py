"""A year of dynamic management in 合肥甲公司工会 (unit_a1), with one file each in 芜湖 and 青海,
for the statistics, coverage and query tests. Everything goes through the services, at fixed
moments (time-machine), so every figure below is exact.

unit_a1 (合肥, city_a1's subtree):
  A 张建国  在档 深度, contact 赵干事, visited 2026-10-15; 生活救助 ¥8,000 (中央财政专项资金, in the
            province's 2026年送温暖 campaign) approved and paid, 金秋助学 ¥3,000 (same source and
            campaign) approved then reversed
  B 张伟    在档 相对, 农民工, adjusted to 区县级 (2026-06-01), contact 钱主任, visited 2026-09-30;
            生活救助 ¥4,000 pending
  C 李明    临时救助 (a temporary file)
  D 王强    lifted 2026-05-01, relapsed 2026-08-01 (now 已提交)
  E 赵敏    cancelled 2026-07-01 (death)
  F 张三丰  a draft
  G 孙丽    在档, moved to 兜底保障 at 2027-01-01 01:00 Shanghai time (2026-12-31 UTC)
unit_a2 (芜湖): W 周杰 在档, 生活救助 ¥5,000 (省总工会, no campaign) approved
unit_b (青海): Q 马福 在档
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import time_machine

from gonghui.hardship import services
from gonghui.hardship.models import HardshipFile
from gonghui.money import services as money
from gonghui.money.models import Application, Programme
from tests.factories import make_person, make_user

from .conftest import Hs, visit


def at(y: int, m: int, d: int, h: int = 9) -> time_machine.travel:
    return time_machine.travel(dt.datetime(y, m, d, h, tzinfo=dt.UTC), tick=False)


def walk(hs: Hs, file: HardshipFile, *, maker: Any, center: Any, year: int = 2026) -> HardshipFile:
    """Intake to on record, as ``Hs.on_file`` does, with the given actors (in March of ``year``)."""
    with at(year, 3, 2):
        services.file_submit(actor=maker, file=file)
        services.file_prelim(actor=maker, file=file)
        visit(file, maker, on=dt.date(year, 3, 2))
        services.file_review(actor=center, file=file)
        services.file_publicize(actor=center, file=file, notice_from=dt.date(year, 3, 2), notice_to=dt.date(year, 3, 8))
    with at(year, 3, 9):
        services.file_approve(actor=center, file=file)
    file.refresh_from_db()
    return file


@dataclass
class StatsWorld:
    hs: Hs
    files: dict[str, HardshipFile]
    apps: dict[str, Application]
    users: dict[str, Any]

    def f(self, key: str) -> HardshipFile:
        file = self.files[key]
        file.refresh_from_db()
        return file


def build(hs: Hs) -> StatsWorld:
    w, u = hs.w, hs.users
    prov_admin = make_user("prov_admin", "fed_admin", org=w.prov_a)
    prov_admin2 = make_user("prov_admin2", "org_admin", org=w.prov_a)
    u = u | {"prov_admin": prov_admin, "prov_admin2": prov_admin2}
    services.standard_set(actor=None, region_code="340000", year=2026, area="urban", monthly="700")
    files: dict[str, HardshipFile] = {}
    with at(2026, 3, 1):
        a1 = {
            k: make_person(w.unit_a1, name)
            for k, name in (("A", "张建国"), ("B", "张伟"), ("C", "李明"), ("D", "王强"), ("E", "赵敏"), ("F", "张三丰"), ("G", "孙丽"))
        }
        files["A"] = hs.on_file(hs.draft(a1["A"]))
        files["B"] = hs.on_file(hs.draft(a1["B"], wage="63000", is_migrant_worker=True))
        files["C"] = hs.on_file(hs.draft(a1["C"], kind="temporary"))
        files["D"] = hs.on_file(hs.draft(a1["D"]))
        files["E"] = hs.on_file(hs.draft(a1["E"]))
        files["F"] = hs.draft(a1["F"])
        files["G"] = hs.on_file(hs.draft(a1["G"]))
        files["W"] = walk(hs, hs.draft(make_person(w.unit_a2, "周杰"), org=w.unit_a2), maker=prov_admin2, center=prov_admin)
        files["Q"] = walk(hs, hs.draft(make_person(w.unit_b, "马福"), actor="other_cadre"), maker=u["other_cadre"], center=u["other_cadre"])
    with at(2026, 5, 1):
        services.file_lift(actor=u["cadre"], file=files["D"], reason="妻子再就业")
    with at(2026, 6, 1):
        services.file_adjust(actor=u["cadre"], file=files["B"], level="county", reason="年度复核调整建档标准")
    with at(2026, 7, 1):
        services.file_cancel(actor=u["cadre"], file=files["E"], reason_code="death")
    with at(2026, 8, 1):
        services.file_submit(actor=u["unit_cadre"], file=files["D"])  # 返困
    with at(2026, 9, 30):
        services.contact_assign(actor=u["cadre"], file=files["A"], cadre=u["unit_cadre"])
        services.contact_assign(actor=u["cadre"], file=files["B"], cadre=u["cadre"])
        services.visit_record(
            actor=u["cadre"], file=files["B"], visited_on=dt.date(2026, 9, 30), channel="phone", cause_note="子女上学",
            needs_note="学费", measures_note="金秋助学",
        )  # fmt: skip
    with at(2026, 10, 15):
        services.visit_record(
            actor=u["unit_cadre"], file=files["A"], visited_on=dt.date(2026, 10, 15), channel="home", cause_note="丈夫透析",
            needs_note="医疗费", measures_note="医疗救助",
        )  # fmt: skip
    with at(2026, 12, 31, 17):  # 2027-01-01 01:00 in Shanghai: counted in 2027
        services.file_safety_net(actor=u["cadre"], file=files["G"], reason="纳入政府兜底保障")
    apps = _money(hs, files, u)
    return StatsWorld(hs, files, apps, u)


def _money(hs: Hs, files: dict[str, HardshipFile], u: dict[str, Any]) -> dict[str, Application]:
    w = hs.w
    with at(2026, 4, 1):
        env = {}
        for code in ("living", "study"):
            env[code] = money.envelope_create(actor=u["prov_admin"], programme=Programme.objects.get(code=code), org=w.prov_a, year=2026)
            money.envelope_fund(actor=u["prov_admin"], envelope=env[code], amount=10_000_000)
        warmth = money.campaign_create(
            actor=u["prov_admin"], org=w.prov_a, name="2026年送温暖", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
        )
        central = {"fund_source": "central", "campaign": warmth}
        a_living = services.aid_apply(actor=u["unit_cadre"], file=files["A"], envelope=env["living"], amount=800_000, **central)
        a_study = services.aid_apply(actor=u["unit_cadre"], file=files["A"], envelope=env["study"], amount=300_000, **central)
        w_living = services.aid_apply(actor=u["prov_admin2"], file=files["W"], envelope=env["living"], amount=500_000, fund_source="province")
        b_living = services.aid_apply(actor=u["unit_cadre"], file=files["B"], envelope=env["living"], amount=400_000)
        for app in (a_living, a_study):
            money.application_approve(actor=u["prov_admin"], application=app)
        money.application_approve(actor=u["prov_admin"], application=w_living)
        money.application_reverse(actor=u["prov_admin"], application=a_study, reason="重复申请")
        batch = money.batch_create(actor=u["prov_admin2"], org=w.prov_a, applications=[a_living])
        money.batch_post(actor=u["prov_admin"], batch=batch)
    return {"a_living": a_living, "a_study": a_study, "w_living": w_living, "b_living": b_living}
