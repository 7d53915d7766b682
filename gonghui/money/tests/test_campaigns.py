"""帮扶专项 (aid campaigns) and fund sources on applications: who may launch a campaign, which
payments may be tagged to it, and every refusal leaving nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.money import services
from gonghui.money.models import AidCampaign, Application

from .test_applications import snapshot

D = dt.date
NEW_YEAR, FEB_END = D(2026, 1, 1), D(2026, 2, 28)


@pytest.fixture(autouse=True)
def mid_january():  # type: ignore[no-untyped-def]
    """Payments join a campaign while it runs: these tests happen while the 两节 campaign does."""
    with time_machine.travel(dt.datetime(2026, 1, 15, 10, tzinfo=dt.UTC), tick=False):
        yield


def campaign(money, *, org=None, actor="prov_admin", name="2026年两节送温暖", starts_on=NEW_YEAR, ends_on=FEB_END, **kw):  # type: ignore[no-untyped-def]
    return services.campaign_create(actor=money.users[actor], org=org or money.w.prov_a, name=name, starts_on=starts_on, ends_on=ends_on, **kw)


def test_a_campaign_is_created_audited_and_tags_payments_with_their_fund_source(money) -> None:
    c = campaign(money, categories=["relative", "deep", "deep"])
    assert (c.name, c.org, c.org_path, c.categories) == ("2026年两节送温暖", money.w.prov_a, money.w.prov_a.path, ["deep", "relative"])
    e = AuditEvent.objects.get(action="money.campaign_create")
    assert (e.actor_id, e.target_id, e.data) == (money.users["prov_admin"].pk, c.pk, {"name": "2026年两节送温暖", "categories": ["deep", "relative"]})
    app = money.submit(100_000, fund_source="central", campaign=c, basis={"category": "deep"})
    app.refresh_from_db()
    assert (app.fund_source, app.get_fund_source_display(), app.campaign_id) == ("central", "中央财政专项资金", c.pk)
    submitted = AuditEvent.objects.get(action="money.application_submit")
    assert (submitted.data["fund_source"], submitted.data["campaign"]) == ("central", c.pk)
    plain = money.submit(50_000)
    assert (plain.fund_source, plain.campaign_id) == ("own", None)


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写专项名称"),
        ({"name": "送" * 101}, "name", "专项名称不能超过100个字"),
        ({"starts_on": "2026-01-01"}, "starts_on", "开始日期须为日期"),
        ({"ends_on": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)}, "ends_on", "结束日期须为日期"),
        ({"ends_on": D(2025, 12, 31)}, "ends_on", "结束日期不能早于开始日期"),
        ({"categories": "deep"}, "categories", "适用类别无效"),
        ({"categories": ["深度"]}, "categories", "适用类别无效"),
        ({"categories": ["poor"]}, "categories", "适用类别无效"),
        ({"actor": "org_admin"}, "actor", "您无权为该工会设立帮扶专项"),
    ],
)
def test_bad_campaigns_are_refused_and_nothing_is_written(money, kw, field, message) -> None:
    with pytest.raises(ServiceError) as e:
        campaign(money, **kw)
    assert (e.value.field, e.value.message) == (field, message)
    assert (AidCampaign.objects.count(), AuditEvent.objects.filter(action="money.campaign_create").count()) == (0, 0)


def test_a_closed_union_launches_nothing_and_no_categories_means_all(money) -> None:
    from gonghui.orgs.models import Org

    assert campaign(money, categories=None).categories == []
    Org.objects.filter(pk=money.w.city_a1.pk).update(status=Org.Status.CLOSED)
    money.w.city_a1.refresh_from_db()
    with pytest.raises(ServiceError) as e:
        campaign(money, org=money.w.city_a1, actor="org_admin", name="合肥送温暖")
    assert (e.value.field, e.value.message) == ("org", "合肥市总工会已撤销，不能设立帮扶专项")


def test_a_second_campaign_of_the_same_name_at_the_same_union_is_refused(money) -> None:
    campaign(money)
    with pytest.raises(ServiceError) as e:
        campaign(money, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31))
    assert (e.value.field, e.value.code, e.value.message) == ("name", "exists", "安徽省总工会已有名为“2026年两节送温暖”的帮扶专项")
    assert campaign(money, org=money.w.city_a1, actor="org_admin").org == money.w.city_a1  # another union may use the name


def test_payments_can_only_join_a_campaign_of_their_union_or_above_in_its_years_and_categories(money) -> None:
    sibling = campaign(money, org=money.w.city_a2, name="芜湖送温暖")
    last_year = campaign(money, name="2025年两节送温暖", starts_on=D(2025, 1, 1), ends_on=D(2025, 2, 28))
    deep_only = campaign(money, name="大病救助", categories=["deep"])
    ended = campaign(money, name="2026年元旦慰问", ends_on=D(2026, 1, 10))
    running = campaign(money)
    budget_2025 = services.envelope_create(actor=money.users["org_admin"], programme=money.programme, org=money.w.city_a1, year=2025)
    later = campaign(money, name="2026年金秋助学", starts_on=D(2026, 6, 1), ends_on=D(2026, 9, 30))
    before = snapshot()
    cases = [
        ({"campaign": sibling}, "campaign", "“芜湖送温暖”不是本工会或上级工会设立的帮扶专项"),
        ({"campaign": last_year}, "campaign", "“2025年两节送温暖”已于2025-02-28结束"),
        ({"campaign": running, "envelope": budget_2025}, "campaign", "“2026年两节送温暖”的期间（2026-01-01至2026-02-28）不在2025年度"),
        ({"campaign": deep_only, "basis": {"category": "relative"}}, "campaign", "该对象的困难类别不在“大病救助”的适用范围内"),
        ({"campaign": deep_only}, "campaign", "该对象的困难类别不在“大病救助”的适用范围内"),
        ({"fund_source": "lottery"}, "fund_source", "资金来源无效"),
        ({"campaign": ended}, "campaign", "“2026年元旦慰问”已于2026-01-10结束"),
        ({"campaign": later}, "campaign", "“2026年金秋助学”2026-06-01开始，尚未开始"),
    ]
    for kw, field, message in cases:
        with pytest.raises(ServiceError) as e:
            money.submit(100_000, **kw)
        assert (e.value.field, e.value.message) == (field, message)
    assert snapshot() == before
    ok = money.submit(100_000, campaign=deep_only, basis={"category": "deep"}, fund_source="social")
    assert Application.objects.get(pk=ok.pk).campaign == deep_only


def test_a_campaign_follows_its_union_when_the_subtree_moves(money) -> None:
    from gonghui.money import queries
    from gonghui.orgs import services as org_services

    c = campaign(money, org=money.w.city_a1, actor="org_admin", name="合肥送温暖")
    org_services.org_move(actor=None, org=money.w.city_a1, new_parent=money.w.prov_b, reason="区划调整")
    money.w.city_a1.refresh_from_db()
    c.refresh_from_db()
    assert c.org_path == money.w.city_a1.path
    assert [x.name for x in queries.campaigns_for(money.users["prov_admin"], money.w.prov_a)] == []
    assert [x.name for x in queries.campaigns_for(money.users["other_admin"], money.w.prov_b)] == ["合肥送温暖"]
    money.w.unit_a1.refresh_from_db()
    assert [x.name for x in queries.campaigns_for_org(money.w.unit_a1, today=D(2026, 1, 15))] == ["合肥送温暖"]
