from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from gonghui.audit.models import AuditEvent
from gonghui.hardship import purge, services, stats
from gonghui.hardship.models import AnnualReview, ContactAssignment, FileEvent, HardshipFile, HouseholdClaim, HouseholdMember, Visit
from gonghui.lib.errors import ServiceError
from gonghui.money import services as money
from gonghui.money.models import Application, ApplicationEvent, ApprovalStep, Envelope, LedgerEntry, LedgerTransaction, Programme, SubjectTotal
from tests.factories import make_person

from .statsworld import at, walk

MONEY = (Application, ApplicationEvent, ApprovalStep, Envelope, SubjectTotal, LedgerTransaction, LedgerEntry)


def rows(*models) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every column but the free text a purge blanks (an event's reason, a review's note)."""
    blanked = {"hardship.FileEvent": "reason", "hardship.AnnualReview": "note"}
    return {
        m._meta.label: list(
            m.objects.order_by("pk").values_list(*[f.attname for f in m._meta.concrete_fields if f.name != blanked.get(m._meta.label)])
        )
        for m in models
    }


@pytest.fixture
def closed(hs):  # type: ignore[no-untyped-def]
    """Three files of 合肥甲公司工会: X closed 2015-06-30 with aid, visits and a bank account;
    Y closed 2016-12-01 (not yet ten years on 2026-11-26); Z still on record."""
    u, w = hs.users, hs.w
    for year in (2015, 2016):
        services.standard_set(actor=None, region_code="340100", year=year, area="urban", monthly="600")
    with at(2015, 3, 1):
        x = hs.draft(make_person(w.unit_a1, "钱大有"), bank_account="6222 0212 3456 7890 123", accident_event="2014年12月工伤致右手截肢")
    walk(hs, x, maker=u["unit_cadre"], center=u["cadre"], year=2015)
    with at(2015, 4, 1):
        services.contact_assign(actor=u["cadre"], file=x, cadre=u["unit_cadre"])
        services.visit_record(
            actor=u["unit_cadre"], file=x, visited_on=dt.date(2015, 4, 1), channel="home", cause_note="工伤截肢",
            needs_note="生活费", measures_note="生活救助",
        )  # fmt: skip
        env = money.envelope_create(actor=u["org_admin"], programme=Programme.objects.get(code="living"), org=w.city_a1, year=2015)
        money.envelope_fund(actor=u["org_admin"], envelope=env, amount=2_000_000)
        paid = services.aid_apply(actor=u["unit_cadre"], file=x, envelope=env, amount=600_000)
        money.application_approve(actor=u["org_admin"], application=paid)
        again = services.aid_apply(actor=u["unit_cadre"], file=x, envelope=env, amount=100_000)
        money.application_approve(actor=u["org_admin"], application=again)
        money.application_reverse(actor=u["org_admin"], application=again, reason="重复发放")
    with at(2015, 6, 30):
        services.file_cancel(actor=u["cadre"], file=x, reason_code="retired", note="张建国2015年6月退休")
    with at(2016, 3, 1):
        y = hs.draft(make_person(w.unit_a1, "孙小美"))
    walk(hs, y, maker=u["unit_cadre"], center=u["cadre"], year=2016)
    with at(2016, 12, 1):
        services.file_cancel(actor=u["cadre"], file=y, reason_code="transferred")
    z = hs.on_file()
    return x, y, z


def run(day: dt.date) -> str:
    out = io.StringIO()
    with at(day.year, day.month, day.day, 4):  # 12:00 in Shanghai
        call_command("purge_closed_files", stdout=out)
    return out.getvalue().strip()


def test_it_purges_files_closed_more_than_ten_years_ago_and_keeps_every_trail(hs, closed) -> None:
    x, y, z = closed
    keep = rows(*MONEY, FileEvent, AnnualReview, ContactAssignment)
    audits = list(AuditEvent.objects.order_by("pk").values_list())
    events = {f.pk: FileEvent.objects.filter(file=f).count() for f in closed}
    cadre = hs.users["org_admin"]
    paid_2015 = stats.payments(cadre, hs.w.city_a1, year=2015)
    report_2015 = stats.dynamic_report(cadre, hs.w.city_a1, 2015)
    assert paid_2015 == [stats.PaymentRow(2015, "生活救助", 1, 1, 600_000)]
    assert (HouseholdMember.objects.filter(file=x).count(), Visit.objects.filter(file=x).count()) == (3, 2)
    assert list(FileEvent.objects.filter(file=x).exclude(reason="").values_list("reason", flat=True)) == ["张建国2015年6月退休"]

    assert run(dt.date(2026, 11, 26)) == "已清除撤档日期早于2016-11-26的档案1份：删除家庭成员3人、比对登记0条，清空走访记录2条"

    x.refresh_from_db()
    assert (x.bank_cipher, x.bank_tail, x.accident_event, x.purged_at) == ("", "", "", dt.datetime(2026, 11, 26, 4, tzinfo=dt.UTC))
    assert (x.status, x.cancel_reason, x.closed_on, x.category) == ("cancelled", "retired", dt.date(2015, 6, 30), "deep")
    assert HouseholdMember.objects.filter(file=x).count() == 0
    assert HouseholdClaim.objects.filter(file=x).count() == 0
    assert list(Visit.objects.filter(file=x).values_list("cause_note", "needs_note", "measures_note")) == [("", "", "")] * 2
    assert list(FileEvent.objects.filter(file=x).exclude(reason="").values_list("reason", flat=True)) == []
    # Y (closed 9 years 360 days ago) and Z (on record) keep everything
    assert [HouseholdMember.objects.filter(file=f).count() for f in (y, z)] == [3, 3]
    assert HouseholdClaim.objects.filter(file=z).count() == 3
    # the trails: money, ledger, events, contacts and every earlier audit row are exactly as they were
    assert rows(*MONEY, FileEvent, AnnualReview, ContactAssignment) == keep
    assert {f.pk: FileEvent.objects.filter(file=f).count() for f in closed} == events
    assert list(AuditEvent.objects.order_by("pk").values_list())[: len(audits)] == audits
    assert list(AuditEvent.objects.order_by("pk").values_list("action", "target_id", "data")[len(audits) :]) == [
        ("hardship.file_purge", x.pk, {"closed_on": "2015-06-30", "members": 3, "visits": 2})
    ]
    assert stats.payments(cadre, hs.w.city_a1, year=2015) == paid_2015
    assert stats.dynamic_report(cadre, hs.w.city_a1, 2015) == report_2015

    # idempotent: nothing more to do the same day; Y becomes due once its ten years are up
    before = (rows(HardshipFile, HouseholdMember, Visit), AuditEvent.objects.count())
    assert run(dt.date(2026, 11, 26)) == "已清除撤档日期早于2016-11-26的档案0份：删除家庭成员0人、比对登记0条，清空走访记录0条"
    assert (rows(HardshipFile, HouseholdMember, Visit), AuditEvent.objects.count()) == before
    assert run(dt.date(2026, 12, 2)) == "已清除撤档日期早于2016-12-02的档案1份：删除家庭成员3人、比对登记0条，清空走访记录1条"
    assert rows(*MONEY) == {k: v for k, v in keep.items() if k.startswith("money.")}


def test_a_dry_run_counts_and_changes_nothing(hs, closed) -> None:
    before = (rows(HardshipFile, HouseholdMember, Visit), AuditEvent.objects.count())
    out = io.StringIO()
    with at(2026, 11, 26):
        call_command("purge_closed_files", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "撤档日期早于2016-11-26的到期档案：1份（未清除）"
    assert (rows(HardshipFile, HouseholdMember, Visit), AuditEvent.objects.count()) == before


def test_the_service_refuses_a_file_not_yet_due(hs, closed) -> None:
    _x, y, z = closed
    for f in (y, z):
        with pytest.raises(ServiceError) as e:
            purge.file_purge(actor=None, file=f, today=dt.date(2026, 11, 26))
        assert (e.value.code, e.value.message) == ("not_due", "只有撤档满10年的档案可以清除个人信息")
    assert HouseholdMember.objects.filter(file__in=[y, z]).count() == 6


def test_the_cutoff_handles_a_leap_day() -> None:
    assert purge.cutoff(dt.date(2028, 2, 29)) == dt.date(2018, 2, 28)
    assert purge.cutoff(dt.date(2026, 11, 26)) == dt.date(2016, 11, 26)
