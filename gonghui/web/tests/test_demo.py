"""The demo carries the seed page's figures, counted from records and phrased as the page does."""

from __future__ import annotations

import datetime as dt
from math import ceil

import pytest

from gonghui.accounts.models import User
from gonghui.activities.models import Activity, Campaign
from gonghui.alliances.models import Alliance, RotationTurn
from gonghui.hardship import stats as hardship_stats
from gonghui.hardship.models import ContactAssignment, SubsistenceStandard
from gonghui.lib.phrasing import approx
from gonghui.money import queries as money_queries
from gonghui.orgs.models import Org
from gonghui.reports import queries
from gonghui.reports.queries import Period, Scope
from gonghui.training import queries as training_queries
from gonghui.training.models import TrainingPlan
from gonghui.web import demo


def org(name: str) -> Org:
    return Org.objects.get(name=name)


def figures(o: Org, year: int, type_code: str | None = None) -> dict[str, int]:
    tid = None if type_code is None else Activity.objects.filter(activity_type__code=type_code).values_list("activity_type_id", flat=True).first()
    return queries.as_dict(queries.figures(Scope.of(o, Period.year(year), tid)))


@pytest.mark.django_db
def test_it_carries_the_seed_page_activity_figures() -> None:
    demo.load()
    alliance = Alliance.objects.get(name="亚父街道工会联盟")
    f = queries.alliance_activity_figures(alliance)
    assert f["activities"] == 10
    assert approx(f["participations"]) == "1000余"
    turns = list(RotationTurn.objects.filter(alliance=alliance).order_by("starts_on"))
    assert [t.status for t in turns] == ["done"] * 10
    assert len({t.host_id for t in turns}) == 10  # balance first: ten different hosts
    assert [t.activities.count() for t in turns] == [1] * 10

    js = org("界首市总工会")
    classes = figures(js, 2021, "training")
    assert (classes["activities"], approx(classes["attendance"])) == (36, "1200余")
    lectures = Activity.objects.get(title="心理健康专题讲座")
    held = lectures.sessions.count()
    total = lectures.checkins.count() + sum(w.count for s in lectures.sessions.all() for w in s.walk_ins.all())
    assert (held, approx(total)) == (44, "5500余")

    campaign = Campaign.objects.get(org=org("黄山市总工会"))
    progress = queries.campaign_progress(campaign)
    assert sum(r["goal"] for r in progress) == 50
    assert {r["org"].name: r["done"] for r in progress} == {
        "屯溪区总工会": 3,
        "黄山区总工会": 0,
        "徽州区总工会": 0,
        "歙县总工会": 2,
        "黄山松柏高尔夫乡村俱乐部有限公司工会": 1,
    }

    plan = TrainingPlan.objects.get(org=org("芜湖市总工会"))
    cov = training_queries.coverage(plan)
    assert (cov.people, cov.attended, len(cov.batches)) == (48, 47, 2)
    for d in cov.departments:
        assert max(d["per_batch"]) <= ceil(d["people"] / 2), d["name"]

    school = Activity.objects.get(title__contains="劳模创新大讲堂进校园")
    n = school.checkins.count() + sum(w.count for s in school.sessions.all() for w in s.walk_ins.all())
    assert approx(n) == "150余"

    # The rollups behind the dashboard equal a recount of the raw records.
    for o in (org("中华全国总工会"), org("安徽省总工会"), js, org("亚父街道总工会")):
        for year in (2020, 2021):
            scope = Scope.of(o, Period.year(year))
            assert queries.as_dict(queries.figures(scope)) == queries.recount(scope), (o.name, year)
    assert queries.latest_year(org("中华全国总工会")) == 2021

    _jieshou_hardship(js)


def _jieshou_hardship(js: Org) -> None:
    """界首's hardship files (issue #5): every pool, the 2021 report and payments, contact coverage."""
    viewer = User.objects.get(username="jieshou_viewer")
    assert sorted(SubsistenceStandard.objects.filter(region_code="341282", year=2021).values_list("area", "monthly_fen")) == [
        ("rural", 56_000),
        ("urban", 62_000),
    ]
    c = hardship_stats.counts(viewer, js)
    nonzero = {dim: {t.code: t.n for t in rows if t.n} for dim, rows in c.items()}
    assert nonzero == {
        "status": {"publicized": 1, "active": 3, "temp_active": 1, "returned": 1, "lifted": 1, "cancelled": 1},
        "category": {"deep": 3, "relative": 1},
        "level": {"county": 1, "grassroots": 3},
        "kind": {"formal": 3, "temporary": 1},
        "worker": {"False": 3, "True": 1},
        "area": {"urban": 3, "rural": 1},
        "region": {"341282": 4},
    }
    r = hardship_stats.dynamic_report(viewer, js, 2021)
    assert (r.new, r.new_temporary, r.adjusted, r.lifted, r.cancelled, r.safety_net, r.relapsed) == (6, 1, 1, 1, 1, 0, 0)
    assert {t.code: t.n for t in r.cancelled_by_reason if t.n} == {"retired": 1}
    assert hardship_stats.payments(viewer, js) == [
        hardship_stats.PaymentRow(2021, "生活救助", 2, 2, 1_120_000),
        hardship_stats.PaymentRow(2021, "医疗救助", 1, 1, 800_000),
        hardship_stats.PaymentRow(2021, "金秋助学", 1, 1, 300_000),
    ]
    assert hardship_stats.payments(viewer, js, by="fund_source") == [
        hardship_stats.PaymentRow(2021, "中央财政专项资金", 2, 2, 1_120_000),
        hardship_stats.PaymentRow(2021, "本级工会经费", 1, 1, 800_000),
        hardship_stats.PaymentRow(2021, "社会捐助", 1, 1, 300_000),
    ]
    assert hardship_stats.payments(viewer, js, by="campaign") == [
        hardship_stats.PaymentRow(2021, "2021年金秋助学 · 界首市总工会", 1, 1, 300_000),
        hardship_stats.PaymentRow(2021, "未列入专项", 2, 3, 1_920_000),
    ]
    assert [f.get_kind_display() for f in hardship_stats.never_helped(viewer, js)] == ["临时救助档案"]
    cov = hardship_stats.coverage(viewer, js, today=dt.date(2021, 6, 30))
    assert (cov.on_file, cov.with_contact, cov.visited) == (4, 4, 3)
    contacts = ContactAssignment.objects.filter(ended_at__isnull=True, file__org_path__startswith=js.path)
    assert sorted(contacts.values_list("cadre__display_name", flat=True)) == ["王立新", "王立新", "王立新", "陈静"]
    assert [(f.get_cancel_reason_display(), f.closed_on) for f in hardship_stats.cancelled(viewer, js)] == [("退休", dt.date(2021, 4, 20))]
    # the payments went through the ledger, which holds together
    assert (money_queries.unbalanced_transactions(), money_queries.envelope_differences()) == ([], [])
