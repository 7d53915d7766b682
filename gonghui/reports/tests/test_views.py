from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.urls import reverse

from gonghui.activities.models import Campaign, CampaignTarget
from gonghui.audit.models import AuditEvent
from gonghui.reports import queries, services

from .helpers import activity_type, at, check_in, make_activity, make_session, walk_in

NOW = at(2026, 11, 20, 12)


def _facts(w: Any) -> None:
    s1 = make_session(make_activity(w.unit_a1), at(2026, 3, 5))
    check_in(s1, w.people["own"])
    check_in(s1, w.people["sibling"])
    walk_in(s1, 4)
    s2 = make_session(make_activity(w.city_a1, type_code="lecture"), at(2026, 5, 9))
    check_in(s2, w.people["own"])
    check_in(make_session(make_activity(w.unit_a2), at(2026, 5, 9)), w.people["sibling"])  # outside city_a1


def test_it_shows_the_figures_and_chart_data(world: Any, as_user: Any, django_assert_num_queries: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        _facts(world)
        client = as_user("viewer")
        url = reverse("reports:dashboard", kwargs={"org_id": world.city_a1.pk})
        client.get(url)  # warm the session
        with django_assert_num_queries(20):
            r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    for testid, value in {"fig-activities": 2, "fig-sessions": 2, "fig-attendance": 7, "fig-people": 2}.items():
        assert f'data-testid="{testid}">{value}</div>' in body
    assert "截至 20:00" not in body and "截至 12:00" in body
    data = json.loads(body.split('<script id="report-data" type="application/json">')[1].split("</script>")[0])
    assert data["month_attendance"] == [0, 0, 6, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert data["month_sessions"] == [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert data["children"] == ["合肥市总工会", "合肥甲公司工会"]
    assert data["child_attendance"] == [1, 6]
    assert dict(zip(data["types"], data["type_attendance"], strict=True)) == {"讲座/宣讲": 1, "观影": 6}
    assert [(r["org"], r["attendance"], r["people"], r["sessions"]) for r in r.context["board"].by_organizer] == [
        ("合肥甲公司工会", 6, 2, 1),
        ("合肥市总工会", 1, 1, 1),
    ]
    assert [(r["org"], r["attendance"], r["people"]) for r in r.context["board"].by_person_org] == [
        ("合肥甲公司工会", 2, 1),
        ("芜湖乙公司工会", 1, 1),
    ]
    assert 'src="/static/vendor/echarts.min.js"' in body
    assert '<script id="report-data" type="application/json">' in body


def test_it_filters_by_months_and_type(world: Any, as_user: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        _facts(world)
        url = reverse("reports:dashboard", kwargs={"org_id": world.city_a1.pk})
        r = as_user("viewer").get(url, {"start": "2026-05", "end": "2026-06", "type": activity_type("lecture").pk})
    f = r.context["board"].figures
    assert queries.as_dict(f) == {"activities": 1, "sessions": 1, "attendance": 1, "people": 1}


def test_it_refuses_a_backwards_period(world: Any, as_user: Any) -> None:
    url = reverse("reports:dashboard", kwargs={"org_id": world.city_a1.pk})
    r = as_user("viewer").get(url, {"start": "2026-05", "end": "2026-01"})
    assert r.status_code == 200
    assert r.context["board"] is None
    assert "截止月份不能早于起始月份" in r.content.decode()


def test_it_shows_campaign_progress_per_sub_org(world: Any, as_user: Any) -> None:
    w = world
    with time_machine.travel(NOW, tick=False):
        c = services.campaign_create(
            actor=w.users["org_admin"],
            org=w.prov_a,
            name="红色电影进企业",
            unit="sessions",
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 12, 31),
        )
        services.campaign_set_target(actor=w.users["org_admin"], campaign=c, org=w.city_a1, target=4)
        services.campaign_set_target(actor=w.users["org_admin"], campaign=c, org=w.city_a2, target=2)
        services.campaign_set_target(actor=w.users["org_admin"], campaign=c, org=w.city_a2, target=3)  # changed
        a1 = make_activity(w.unit_a1, campaign=c)
        for day in (5, 6, 7):
            make_session(a1, at(2026, 4, day))
        make_session(a1, at(2026, 4, 8), cancelled=True)
        make_session(a1, at(2026, 2, 8))  # before the campaign
        make_session(a1, at(2026, 12, 8))  # not held yet
        make_session(make_activity(w.unit_a1), at(2026, 4, 9))  # not tagged
        a2 = make_activity(w.unit_a2, campaign=c)
        s = make_session(a2, at(2026, 6, 1))
        check_in(s, w.people["sibling"])
        walk_in(s, 10)
        progress = [(r["org"].name, r["goal"], r["done"], r["percent"]) for r in queries.campaign_progress(c)]
        assert progress == [("合肥市总工会", 4, 3, 75), ("芜湖市总工会", 3, 1, 33)]
        c.unit = Campaign.Unit.ATTENDANCE
        assert [r["done"] for r in queries.campaign_progress(c)] == [0, 11]
        c.unit = Campaign.Unit.ACTIVITIES
        assert [r["done"] for r in queries.campaign_progress(c)] == [0, 1]  # a1 began in February
        r = as_user("fed_admin").get(reverse("reports:campaign", kwargs={"pk": c.pk}))
    assert r.status_code == 200  # the city sees the province's campaign: it has a target in scope
    assert [(x["org"].name, x["done"]) for x in r.context["rows"]] == [("合肥市总工会", 3), ("芜湖市总工会", 1)]
    assert CampaignTarget.objects.get(campaign=c, org=w.city_a2).target == 3
    assert list(AuditEvent.objects.filter(action__startswith="reports.").values_list("action", flat=True).order_by("id")) == [
        "reports.campaign_create",
        "reports.campaign_target",
        "reports.campaign_target",
        "reports.campaign_target",
    ]


def test_it_creates_a_campaign_and_sets_a_target_through_the_pages(world: Any, as_user: Any) -> None:
    w = world
    client = as_user("org_admin")
    r = client.post(
        reverse("reports:campaign_create", kwargs={"org_id": w.city_a1.pk}),
        {"name": "红色电影进企业", "unit": "sessions", "starts_on": "2026-03-01", "ends_on": "2026-12-31", "description": ""},
    )
    c = Campaign.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("reports:campaign", kwargs={"pk": c.pk})
    assert (c.org, c.org_path, c.created_by) == (w.city_a1, w.city_a1.path, w.users["org_admin"])
    r = client.post(reverse("reports:campaign_target", kwargs={"pk": c.pk}), {"org": w.unit_b.code, "target": 5})
    assert r.status_code == 200 and "目标工会须为发起工会的下级工会" in r.content.decode()
    r = client.post(reverse("reports:campaign_target", kwargs={"pk": c.pk}), {"org": w.unit_a1.code, "target": 5})
    assert r.status_code == 302
    assert list(c.targets.values_list("org_id", "target")) == [(w.unit_a1.pk, 5)]
    r = client.get(reverse("reports:campaigns", kwargs={"org_id": w.city_a1.pk}))
    assert [x.name for x in r.context["campaigns"]] == ["红色电影进企业"]
