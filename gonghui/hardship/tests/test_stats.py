from __future__ import annotations

import datetime as dt

import pytest

from gonghui.hardship import services, stats
from gonghui.hardship.stats import PaymentRow, Tally
from gonghui.lib.errors import ServiceError
from gonghui.money import services as money
from gonghui.orgs import services as org_services

from .statsworld import StatsWorld, at, build


@pytest.fixture
def sw(hs) -> StatsWorld:
    return build(hs)


def keys(sw: StatsWorld, qs) -> list[str]:  # type: ignore[no-untyped-def]
    by_pk = {f.pk: k for k, f in sw.files.items()}
    return [by_pk[f.pk] for f in qs]


def tallies(rows: list[Tally]) -> dict[str, int]:
    return {t.code: t.n for t in rows}


def test_it_finds_a_file_by_any_household_id_number_within_the_scope(sw) -> None:
    u, w = sw.users, sw.hs.w
    spouse = sw.f("A").members.get(relation="spouse").id_number()
    assert keys(sw, stats.by_id_number(u["cadre"], w.city_a1, spouse)) == ["A"]
    # full-width digits and spaces are the same number
    wide = " ".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in spouse)
    assert keys(sw, stats.by_id_number(u["cadre"], w.city_a1, wide)) == ["A"]
    # a cancelled file keeps its household (until the 10-year purge)
    assert keys(sw, stats.by_id_number(u["cadre"], w.city_a1, sw.f("E").holder.id_number())) == ["E"]
    # 芜湖's file is outside a 合肥 cadre's scope, even asked from the province node
    w_number = sw.f("W").holder.id_number()
    assert keys(sw, stats.by_id_number(u["cadre"], w.prov_a, w_number)) == []
    assert keys(sw, stats.by_id_number(u["prov_admin"], w.prov_a, w_number)) == ["W"]
    with pytest.raises(ServiceError) as e:
        stats.by_id_number(u["cadre"], w.city_a1, spouse[:-1] + ("0" if spouse[-1] != "0" else "1"))
    assert (e.value.field, e.value.message) == ("value", "身份证号校验位不正确，请核对后重新输入")


def test_it_finds_files_by_the_start_of_the_holders_name(sw) -> None:
    u, w = sw.users, sw.hs.w
    assert sorted(keys(sw, stats.by_name(u["cadre"], w.city_a1, "张"))) == ["A", "B", "F"]
    assert keys(sw, stats.by_name(u["cadre"], w.city_a1, " 张建 ")) == ["A"]
    assert keys(sw, stats.by_name(u["cadre"], w.city_a1, "周")) == []
    assert keys(sw, stats.by_name(u["prov_admin"], w.prov_a, "周")) == ["W"]
    with pytest.raises(ServiceError) as e:
        stats.by_name(u["cadre"], w.city_a1, "  ")
    assert e.value.field == "value"


def test_it_lists_files_on_record_unchanged_for_a_year(sw) -> None:
    u, w = sw.users, sw.hs.w
    # A and C were last changed at approval (2026-03-09 09:00 UTC); a contact or a visit is no change
    at = dt.datetime(2027, 3, 9, 9, tzinfo=dt.UTC)
    assert keys(sw, stats.unchanged_for_a_year(u["cadre"], w.city_a1, now=at)) == []
    assert keys(sw, stats.unchanged_for_a_year(u["cadre"], w.city_a1, now=at + dt.timedelta(seconds=1))) == ["A", "C"]
    # B (adjusted in June) and G (兜底 at the new year) follow; the draft, the lifted-and-relapsed
    # and the cancelled files are not on record
    later = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    assert keys(sw, stats.unchanged_for_a_year(u["cadre"], w.city_a1, now=later)) == ["A", "C", "B", "G"]
    assert keys(sw, stats.unchanged_for_a_year(u["prov_admin"], w.prov_a, now=later)) == ["A", "C", "W", "B", "G"]


def test_it_lists_files_never_helped_counting_only_approved_or_paid_aid(sw) -> None:
    u, w = sw.users, sw.hs.w
    # A: paid (its reversed 助学 does not matter); B: only a pending application; C, G: nothing
    assert sorted(keys(sw, stats.never_helped(u["cadre"], w.city_a1))) == ["B", "C", "G"]
    assert sorted(keys(sw, stats.never_helped(u["prov_admin"], w.prov_a))) == ["B", "C", "G"]
    assert sorted(keys(sw, stats.never_helped(u["other_cadre"], w.prov_b))) == ["Q"]


def test_it_lists_the_lifted_and_cancelled_files_with_the_reason(sw) -> None:
    u, w = sw.users, sw.hs.w
    assert keys(sw, stats.lifted(u["cadre"], w.city_a1)) == []  # D relapsed: under review again
    rows = [(f.number, f.get_cancel_reason_display(), f.closed_on) for f in stats.cancelled(u["cadre"], w.city_a1)]
    assert rows == [(sw.files["E"].number, "死亡", dt.date(2026, 7, 1))]
    assert keys(sw, stats.run_query(u["cadre"], w.city_a1, "cancelled", migrant=True)) == []
    assert keys(sw, stats.run_query(u["cadre"], w.city_a1, "cancelled", migrant=False)) == ["E"]


def test_run_query_splits_workers_from_migrant_workers(sw) -> None:
    u, w = sw.users, sw.hs.w
    assert keys(sw, stats.run_query(u["cadre"], w.city_a1, "never_helped", migrant=True)) == ["B"]
    assert sorted(keys(sw, stats.run_query(u["cadre"], w.city_a1, "name", "张", migrant=False))) == ["A", "F"]
    with pytest.raises(ServiceError):
        stats.run_query(u["cadre"], w.city_a1, "everything")


def test_it_counts_files_by_state_category_level_kind_worker_area_and_region(sw) -> None:
    u, w = sw.users, sw.hs.w
    c = stats.counts(u["cadre"], w.city_a1)
    assert tallies(c["status"]) == {
        "draft": 1, "submitted": 1, "prelim_ok": 0, "visited": 0, "reviewed": 0, "publicized": 0, "active": 2, "temp_active": 1,
        "returned": 0, "lifted": 0, "safety_net": 1, "cancelled": 1,
    }  # fmt: skip
    # on record: A, B, C, G
    assert tallies(c["category"]) == {"deep": 3, "relative": 1, "accident": 0}
    assert tallies(c["level"]) == {"national": 0, "province": 0, "prefecture": 0, "county": 1, "grassroots": 3}
    assert tallies(c["kind"]) == {"formal": 3, "temporary": 1}
    assert [(t.label, t.n) for t in c["worker"]] == [("职工", 3), ("农民工", 1)]
    assert tallies(c["area"]) == {"urban": 4, "rural": 0}
    assert [(t.code, t.label, t.n) for t in c["region"]] == [("340100", "340100", 4)]
    wide = stats.counts(u["prov_admin"], w.prov_a)
    assert [(t.code, t.n) for t in wide["region"]] == [("340100", 4), ("340200", 1)]
    assert sum(t.n for t in stats.counts(u["other_cadre"], w.prov_b)["status"]) == 1


def test_the_dynamic_report_counts_the_years_events_in_local_time(sw) -> None:
    u, w = sw.users, sw.hs.w
    r = stats.dynamic_report(u["cadre"], w.city_a1, 2026)
    assert (r.new, r.new_temporary, r.adjusted, r.lifted, r.cancelled, r.safety_net, r.relapsed) == (6, 1, 1, 1, 1, 0, 1)
    assert tallies(r.cancelled_by_reason) == {"death": 1, "retired": 0, "transferred": 0, "mismatch": 0, "other": 0}
    # 兜底 at 2026-12-31 17:00 UTC is 2027-01-01 in Shanghai
    r27 = stats.dynamic_report(u["cadre"], w.city_a1, 2027)
    assert (r27.new, r27.adjusted, r27.lifted, r27.cancelled, r27.safety_net, r27.relapsed) == (0, 0, 0, 0, 1, 0)
    assert stats.dynamic_report(u["prov_admin"], w.prov_a, 2026).new == 7
    assert stats.dynamic_report(u["other_cadre"], w.prov_b, 2026).new == 1
    # a cadre asking above their grant sees their subtree only
    assert stats.dynamic_report(u["cadre"], w.prov_a, 2026).new == 6
    assert r.rows()[:5] == [("新建档", 6), ("其中：临时救助档案", 1), ("调整", 1), ("脱困", 1), ("注销", 1)]
    assert r.rows()[5:] == [
        ("注销：死亡", 1), ("注销：退休", 0), ("注销：调离", 0), ("注销：比对不符", 0), ("注销：其他", 0), ("转兜底保障", 0), ("返困", 1),
    ]  # fmt: skip


def test_history_stays_where_it_happened_when_a_subtree_moves(sw) -> None:
    u, w = sw.users, sw.hs.w
    before = stats.dynamic_report(u["prov_admin"], w.city_a1, 2026)
    org_services.org_move(actor=None, org=w.unit_a1, new_parent=w.city_a2, reason="隶属关系调整")
    w.city_a1.refresh_from_db()
    w.city_a2.refresh_from_db()
    # the files follow the union; the year's events stay counted where they happened
    assert sum(t.n for t in stats.counts(u["prov_admin"], w.city_a1)["status"]) == 0
    assert sum(t.n for t in stats.counts(u["prov_admin"], w.city_a2)["status"]) == 8
    assert stats.dynamic_report(u["prov_admin"], w.city_a1, 2026) == before
    assert stats.dynamic_report(u["prov_admin"], w.city_a2, 2026).new == 1  # W only


def test_payments_are_approved_minus_reversed_by_year_and_programme(sw) -> None:
    u, w = sw.users, sw.hs.w
    # A's ¥8,000 (paid); its ¥3,000 助学 was reversed; B's ¥4,000 is still pending
    assert stats.payments(u["cadre"], w.city_a1) == [PaymentRow(2026, "生活救助", 1, 1, 800_000)]
    assert stats.payments(u["prov_admin"], w.prov_a) == [PaymentRow(2026, "生活救助", 2, 2, 1_300_000)]
    assert stats.payments(u["prov_admin"], w.prov_a, year=2025) == []
    assert stats.payments(u["other_cadre"], w.prov_b) == []


def test_payments_by_fund_source_and_by_campaign(sw) -> None:
    u, w = sw.users, sw.hs.w
    assert stats.payments(u["prov_admin"], w.prov_a, by="fund_source") == [
        PaymentRow(2026, "中央财政专项资金", 1, 1, 800_000),
        PaymentRow(2026, "省总工会", 1, 1, 500_000),
    ]
    # the reversed 金秋助学 payment was in the campaign too: it does not count
    assert stats.payments(u["prov_admin"], w.prov_a, by="campaign") == [
        PaymentRow(2026, "2026年送温暖 · 安徽省总工会", 1, 1, 800_000),
        PaymentRow(2026, "未列入专项", 1, 1, 500_000),
    ]
    assert stats.payments(u["cadre"], w.city_a1, by="campaign") == [PaymentRow(2026, "2026年送温暖 · 安徽省总工会", 1, 1, 800_000)]
    assert stats.payments(u["prov_admin"], w.city_a2, by="fund_source", year=2026) == [PaymentRow(2026, "省总工会", 1, 1, 500_000)]
    assert stats.payments(u["other_cadre"], w.prov_b, by="campaign") == []


def test_campaigns_of_the_same_name_at_two_unions_stay_apart(sw) -> None:
    from gonghui.money.models import Envelope

    u, w = sw.users, sw.hs.w
    with at(2026, 4, 2):
        city = money.campaign_create(
            actor=u["org_admin"], org=w.city_a1, name="2026年送温暖", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30)
        )
        app = services.aid_apply(
            actor=u["unit_cadre"], file=sw.f("B"), envelope=Envelope.objects.get(programme__code="living"), amount=100_000, campaign=city
        )
        money.application_approve(actor=u["prov_admin"], application=app)
    assert stats.payments(u["prov_admin"], w.prov_a, by="campaign") == [
        PaymentRow(2026, "2026年送温暖 · 安徽省总工会", 1, 1, 800_000),
        PaymentRow(2026, "2026年送温暖 · 合肥市总工会", 1, 1, 100_000),
        PaymentRow(2026, "未列入专项", 1, 1, 500_000),
    ]


def test_coverage_counts_contacts_and_this_quarters_visits(sw) -> None:
    u, w = sw.users, sw.hs.w
    cov = stats.coverage(u["cadre"], w.city_a1, today=dt.date(2026, 11, 20))
    # on record: A, B, C, G; contacts: A, B; visited since 2026-10-01: A (B's was 09-30)
    assert (cov.on_file, cov.with_contact, cov.without_contact, cov.visited, cov.not_visited) == (4, 2, 2, 1, 3)
    assert (cov.quarter_from, cov.quarter_to, cov.contact_percent, cov.visited_percent) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 11, 20),
        "50.0",
        "25.0",
    )
    assert sorted(keys(sw, stats.coverage_list(u["cadre"], w.city_a1, "no_contact", today=dt.date(2026, 11, 20)))) == ["C", "G"]
    assert sorted(keys(sw, stats.coverage_list(u["cadre"], w.city_a1, "no_visit", today=dt.date(2026, 11, 20)))) == ["B", "C", "G"]
    # on the last day of the third quarter B's visit counts, A's (in the future) does not
    q3 = stats.coverage(u["cadre"], w.city_a1, today=dt.date(2026, 9, 30))
    assert (q3.visited, q3.quarter_from) == (1, dt.date(2026, 7, 1))
    assert sorted(keys(sw, stats.coverage_list(u["cadre"], w.city_a1, "no_visit", today=dt.date(2026, 9, 30)))) == ["A", "C", "G"]
    empty = stats.coverage(u["other_cadre"], w.city_a1, today=dt.date(2026, 11, 20))
    assert (empty.on_file, empty.contact_percent) == (0, "—")


def test_export_rows_mask_the_id_number_and_spell_out_codes(sw) -> None:
    u, w = sw.users, sw.hs.w
    rows = list(stats.file_rows(stats.cancelled(u["cadre"], w.city_a1)))
    e = sw.f("E")
    number = e.holder.id_number()
    assert rows == [
        [e.number, "赵敏", number[:3] + "*" * 11 + number[-4:], "合肥甲公司工会", "已注销", "深度困难", "基层", "正式档案", "职工", "340100",
         dt.date(2026, 3, 9), dt.date(2026, 7, 1), "死亡", dt.date(2026, 7, 1)],
    ]  # fmt: skip
    sheet = list(stats.stats_rows(u["cadre"], w.city_a1, 2026))
    assert ["困难类别（在档）", "深度困难", 3, "", ""] in sheet
    assert ["2026年动态管理", "注销：死亡", 1, "", ""] in sheet
    assert sheet[-3:] == [
        ["2026年帮扶资金（按帮扶项目）", "生活救助", 1, 1, "8000.00"],
        ["2026年帮扶资金（按资金来源）", "中央财政专项资金", 1, 1, "8000.00"],
        ["2026年帮扶资金（按帮扶专项）", "2026年送温暖 · 安徽省总工会", 1, 1, "8000.00"],
    ]
