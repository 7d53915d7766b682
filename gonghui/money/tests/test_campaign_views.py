"""The 帮扶专项 page: campaigns that concern a union with what was given under it, and launching one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.money import services
from gonghui.money.models import AidCampaign

from .test_views import login


def url(org: Any) -> str:
    return reverse("money:campaigns", kwargs={"org_id": org.pk})


def launch(money, org, actor, name, starts=(2026, 1, 1), ends=(2026, 2, 28), **kw):  # type: ignore[no-untyped-def]
    return services.campaign_create(actor=money.users[actor], org=org, name=name, starts_on=dt.date(*starts), ends_on=dt.date(*ends), **kw)


def test_it_lists_the_campaigns_above_and_below_with_what_was_given_in_the_subtree(money, as_user, django_assert_num_queries) -> None:
    warmth = launch(money, money.w.prov_a, "prov_admin", "2026年两节送温暖")
    study = launch(money, money.w.city_a1, "org_admin", "2026年金秋助学", (2026, 6, 1), (2026, 9, 30), categories=["relative", "deep"])
    launch(money, money.w.city_a2, "prov_admin", "芜湖送温暖")  # a sibling city's: not shown in 合肥
    launch(money, money.w.prov_a, "prov_admin", "2025年两节送温暖", (2025, 1, 1), (2025, 2, 28))
    with time_machine.travel(dt.datetime(2026, 1, 20, 10, tzinfo=dt.UTC), tick=False):  # while the campaign runs
        paid = [money.submit(100_000, subject_id=1, campaign=warmth), money.submit(50_000, subject_id=1, campaign=warmth)]
        money.submit(70_000, subject_id=2, campaign=warmth)  # still pending: not given yet
    for app in paid:
        services.application_approve(actor=money.users["org_admin"], application=app)
    client = login(as_user("anon"), money.users["viewer"])
    client.get(url(money.w.city_a1))
    with django_assert_num_queries(5):  # session, user with grants, org, campaigns, their tallies, the layout's scope roots
        r = client.get(url(money.w.city_a1))
    rows = [(c.name, c.org.name, c.households, c.times, c.amount, c.category_labels) for c in r.context["campaigns"]]
    assert rows == [
        ("2026年金秋助学", "合肥市总工会", 0, 0, 0, ["深度困难", "相对困难"]),
        ("2026年两节送温暖", "安徽省总工会", 1, 2, 150_000, []),
        ("2025年两节送温暖", "安徽省总工会", 0, 0, 0, []),
    ]
    body = r.content.decode()
    assert '<td class="num">1</td><td class="num">2</td><td class="num">¥1,500.00</td>' in body
    assert "2026-06-01 — 2026-09-30" in body and "深度困难、相对困难" in body
    assert r.context["form"] is None and "设立帮扶专项" not in body  # a viewer reads only
    assert study.pk in {c.pk for c in r.context["campaigns"]}


def test_a_manager_launches_a_campaign_and_bad_input_names_the_field(money, as_user) -> None:
    client = login(as_user("anon"), money.users["org_admin"])
    r = client.post(url(money.w.city_a1), {"name": "", "starts_on": "2026-03-01", "ends_on": "2026-02-01", "categories": ["poor"]})
    assert r.status_code == 200
    errors = {k: [str(e) for e in v] for k, v in r.context["form"].errors.items()}
    assert errors == {
        "name": ["这个字段是必填项。"],
        "ends_on": ["结束日期不能早于开始日期"],
        "categories": ["选择一个有效的选项。 poor 不在可用的选项中。"],
    }
    assert AidCampaign.objects.count() == 0
    launch(money, money.w.city_a1, "org_admin", "2026年大病救助")
    r = client.post(url(money.w.city_a1), {"name": "2026年大病救助", "starts_on": "2026-03-01", "ends_on": "2026-12-31"})
    assert [str(e) for e in r.context["form"].errors["name"]] == ["合肥市总工会已有名为“2026年大病救助”的帮扶专项"]
    r = client.post(url(money.w.city_a1), {"name": "2026年金秋助学", "starts_on": "2026-06-01", "ends_on": "2026-09-30", "categories": ["relative"]})
    assert r.status_code == 302 and r["Location"] == url(money.w.city_a1)
    c = AidCampaign.objects.get(name="2026年金秋助学")
    assert (c.org, c.starts_on, c.ends_on, c.categories, c.created_by) == (
        money.w.city_a1, dt.date(2026, 6, 1), dt.date(2026, 9, 30), ["relative"], money.users["org_admin"],
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="money.campaign_create", target_id=c.pk).count() == 1
    assert [str(m) for m in client.get(r["Location"]).context["messages"]] == ["已设立帮扶专项“2026年金秋助学”"]


def test_a_cadre_may_read_but_not_launch(money, as_user) -> None:
    client = login(as_user("anon"), money.users["cadre"])
    assert client.get(url(money.w.unit_a1)).status_code == 200
    r = client.post(url(money.w.unit_a1), {"name": "送温暖", "starts_on": "2026-01-01", "ends_on": "2026-02-28"})
    assert r.status_code == 403
    assert AidCampaign.objects.count() == 0
