"""The 申请帮扶资金 page of a household file (hardship:file_aid) and the file page's aid list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.hardship.models import HardshipFile
from gonghui.money import services as money
from gonghui.money.models import AidCampaign, Application, Envelope, Programme
from tests.factories import make_user

NOV_27 = dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)


@dataclass
class Budgets:
    living: Envelope  # 2026, 合肥市总工会 (the file's parent)
    medical: Envelope  # 2026, 合肥市总工会
    warmth: Envelope  # 2026, 安徽省总工会 (an ancestor)
    study: Envelope  # 2025, 合肥甲公司工会 (the file's own union)
    sibling: Envelope  # 2026, 芜湖市总工会: not over the file
    retired: Envelope  # 2026, 合肥市总工会, of a programme no longer in use
    winter: AidCampaign  # 安徽省总工会, running in late November
    autumn: AidCampaign  # 合肥市总工会, over by then
    wuhu: AidCampaign  # 芜湖市总工会: not over the file


@pytest.fixture
def budgets(hs) -> Budgets:
    w = hs.w
    prov_admin = make_user("prov_admin", "org_admin", org=w.prov_a)
    city_admin = hs.users["org_admin"]

    def envelope(code: str, org: Any, year: int, actor: Any) -> Envelope:
        env = money.envelope_create(actor=actor, programme=Programme.objects.get(code=code), org=org, year=year)
        money.envelope_fund(actor=actor, envelope=env, amount=10_000_000)
        env.refresh_from_db()
        return env

    Programme.objects.create(code="retired", name="旧项目", sort=5, is_active=False)
    return Budgets(
        living=envelope("living", w.city_a1, 2026, city_admin),
        medical=envelope("medical", w.city_a1, 2026, city_admin),
        warmth=envelope("warmth", w.prov_a, 2026, prov_admin),
        study=envelope("study", w.unit_a1, 2025, city_admin),
        sibling=envelope("temporary", w.city_a2, 2026, prov_admin),
        retired=envelope("retired", w.city_a1, 2026, city_admin),
        winter=money.campaign_create(
            actor=prov_admin, org=w.prov_a, name="2026年两节送温暖", starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 2, 28)
        ),
        autumn=money.campaign_create(
            actor=city_admin, org=w.city_a1, name="2026年金秋助学", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 9, 30)
        ),
        wuhu=money.campaign_create(
            actor=prov_admin, org=w.city_a2, name="芜湖大病救助", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
        ),
    )


def _url(file: HardshipFile) -> str:
    return reverse("hardship:file_aid", kwargs={"pk": file.pk})


def _detail(file: HardshipFile) -> str:
    return reverse("hardship:detail", kwargs={"pk": file.pk})


def _form(env: Envelope, amount: str, **kw: Any) -> dict[str, Any]:
    return {"envelope": env.pk, "amount": amount, "self_paid": "", "fund_source": "own", "campaign": ""} | kw


def written() -> tuple[int, int]:
    return Application.objects.count(), AuditEvent.objects.count()


def test_it_submits_one_application_with_the_exact_amount_source_and_campaign(hs, budgets, login) -> None:
    file = hs.on_file()
    r = login("unit_cadre").post(_url(file), _form(budgets.living, "1,234.56", fund_source="city", campaign=budgets.winter.pk), follow=True)
    app = Application.objects.get()
    assert r.redirect_chain == [(_detail(file), 302)]
    assert [str(m) for m in r.context["messages"]] == [f"已提交帮扶申请#{app.pk}，待审批"]
    assert (app.subject_kind, app.subject_id, app.envelope_id, app.year, app.amount, app.fund_source, app.campaign_id, app.status) == (
        "hardship.file", file.pk, budgets.living.pk, 2026, 123_456, "city", budgets.winter.pk, "pending",
    )  # fmt: skip
    assert (app.org_id, app.created_by_id, app.basis) == (file.org_id, hs.users["unit_cadre"].pk, {"category": "deep", "dibao_monthly_fen": 80_000})
    # the file's page lists it
    assert [(a.programme.name, a.year, a.amount, a.get_fund_source_display(), a.campaign.name, a.get_status_display()) for a in r.context["aid"]] == [
        ("生活救助", 2026, 123_456, "市总工会", "2026年两节送温暖", "审批中")
    ]
    body = r.content.decode()
    assert "<td>生活救助</td><td>2026</td><td>¥1,234.56</td><td>市总工会</td><td>2026年两节送温暖</td><td>审批中</td>" in body


def test_it_passes_the_self_paid_costs_to_the_cap_of_a_share_of_them(hs, budgets, login) -> None:
    file = hs.on_file()
    client = login("unit_cadre")
    # 医疗救助 for a deep household: up to 100% of the self-paid costs
    r = client.post(_url(file), _form(budgets.medical, "3000.01", self_paid="3000"))
    assert r.context["form"].errors == {"amount": ["金额¥3,000.01超过医疗救助的上限¥3,000.00（自付费用¥3,000.00的100%）"]}
    assert Application.objects.count() == 0
    r = client.post(_url(file), _form(budgets.medical, "3000", self_paid="3000"))
    assert r.status_code == 302
    assert Application.objects.values_list("amount", "basis").get() == (
        300_000,
        {"category": "deep", "dibao_monthly_fen": 80_000, "self_paid_fen": 300_000},
    )


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("abc", "金额不是有效的数字"),
        ("-1", "金额不能为负数"),
        ("1.234", "金额最多精确到分（两位小数）"),
        ("0", "金额须大于零"),
        ("", "请填写金额"),
    ],
)
def test_it_refuses_a_bad_amount_at_its_field_and_writes_nothing(hs, budgets, login, amount, error) -> None:
    file = hs.on_file()
    before = written()
    r = login("unit_cadre").post(_url(file), _form(budgets.living, amount))
    assert (r.status_code, r.context["form"].errors) == (200, {"amount": [error]})
    assert f"金额（元）：{error}" in r.content.decode()
    assert written() == before


def test_it_shows_the_services_refusal_at_its_field_and_writes_nothing(hs, budgets, login) -> None:
    file = hs.on_file()
    client = login("unit_cadre")
    before = written()
    r = client.post(_url(file), _form(budgets.living, "8000.01"))
    assert r.context["form"].errors == {"amount": ["金额¥8,000.01超过生活救助的上限¥8,000.00（10个月低保（¥800.00/月））"]}
    assert "金额（元）：金额¥8,000.01超过生活救助的上限¥8,000.00（10个月低保（¥800.00/月））" in r.content.decode()
    r = client.post(_url(file), _form(budgets.living, "100", self_paid="abc"))
    assert r.context["form"].errors == {"self_paid": ["自付费用：金额不是有效的数字"]}
    # a 专项 for other categories; a year without a 低保 standard (not about one field)
    relative = money.campaign_create(
        actor=hs.users["org_admin"], org=hs.w.city_a1, name="相对困难专项", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
        categories=["relative"],
    )  # fmt: skip
    r = client.post(_url(file), _form(budgets.living, "100", campaign=relative.pk))
    assert r.context["form"].errors == {"campaign": ["该对象的困难类别不在“相对困难专项”的适用范围内"]}
    r = client.post(_url(file), _form(budgets.study, "100"))
    assert r.context["form"].non_field_errors() == ["没有340100（或其所属市、省）2025年城市低保标准，请先在“低保标准”中录入"]
    assert written() == (before[0], before[1] + 1)  # only the campaign's own audit row


def test_it_refuses_a_budget_or_campaign_not_over_the_file(hs, budgets, login) -> None:
    file = hs.on_file()
    before = written()
    client = login("unit_cadre")
    for form, errors in (
        (_form(budgets.sibling, "100"), {"envelope": ["请从列表中选择预算"]}),
        (_form(budgets.retired, "100"), {"envelope": ["请从列表中选择预算"]}),
        (_form(budgets.living, "100", campaign=budgets.wuhu.pk), {"campaign": ["请从列表中选择帮扶专项"]}),
        ({"amount": "100", "fund_source": "own"}, {"envelope": ["请选择预算"]}),
    ):
        r = client.post(_url(file), form)
        assert (r.status_code, r.context["form"].errors) == (200, errors)
    assert written() == before


def test_it_offers_the_budgets_of_the_file_union_and_above_and_their_campaigns(hs, budgets, login, django_assert_num_queries) -> None:
    file = hs.on_file()
    with time_machine.travel(NOV_27, tick=False):  # only the campaigns running that day are offered
        client = login("unit_cadre")
        client.get(_url(file))  # the first request of a session writes it
        with django_assert_num_queries(6):
            # session, user, the file with org and holder, grants, the scope bar's org, whether a
            # budget exists, the budgets, the campaigns
            r = client.get(_url(file))
        form = r.context["form"]
        campaigns = [(getattr(c, "value", c), label) for c, label in form.fields["campaign"].choices]
    assert [(c.value, label) for c, label in list(form.fields["envelope"].choices)[1:]] == [
        (budgets.living.pk, "2026年 生活救助 · 合肥市总工会 · 余额¥100,000.00"),
        (budgets.medical.pk, "2026年 医疗救助 · 合肥市总工会 · 余额¥100,000.00"),
        (budgets.warmth.pk, "2026年 送温暖 · 安徽省总工会 · 余额¥100,000.00"),
        (budgets.study.pk, "2025年 金秋助学 · 合肥甲公司工会 · 余额¥100,000.00"),
    ]
    assert campaigns == [
        ("", "（不属于专项）"),
        (budgets.winter.pk, "2026年两节送温暖（2026-11-01—2027-02-28） · 安徽省总工会"),
    ]
    assert form["fund_source"].value() == "own"
    assert [v for v, _ in form.fields["fund_source"].choices] == ["central", "province", "city", "county", "own", "social"]


def test_a_file_not_on_record_gets_no_link_and_is_refused_with_the_services_message(hs, budgets, login) -> None:
    draft, on_file = hs.draft(), hs.on_file()
    client = login("unit_cadre")
    r = client.get(_detail(draft))
    assert (r.context["can_aid"], "申请帮扶资金" in r.content.decode()) == (False, False)
    r = client.get(_detail(on_file))
    assert (r.context["can_aid"], _url(on_file) in r.content.decode()) == (True, True)
    before = written()
    for r in (client.get(_url(draft)), client.post(_url(draft), _form(budgets.living, "100"))):
        assert (r.status_code, r["Location"]) == (302, _detail(draft))  # no form for a file not on record
    r = client.get(_detail(draft))
    assert [str(m) for m in r.context["messages"]] == ["档案当前状态为“草稿”，不能申请帮扶资金"] * 2
    assert written() == before


def test_an_outsider_gets_404_and_a_read_only_viewer_403_and_nothing_is_written(hs, budgets, login) -> None:
    file = hs.on_file()
    before = written()
    for role, status in (("other_cadre", 404), ("viewer", 403)):
        client = login(role)
        assert client.get(_url(file)).status_code == status
        assert client.post(_url(file), _form(budgets.living, "100")).status_code == status
    assert written() == before
    # the viewer reads the file's aid but is not offered the page
    r = login("viewer").get(_detail(file))
    assert (r.context["can_aid"], _url(file) in r.content.decode(), "尚无帮扶资金申请" in r.content.decode()) == (False, False, True)
