"""The cadres' money pages: envelopes per org and year, applications, approve and reject."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from gonghui.audit.models import AuditEvent
from gonghui.money import services
from gonghui.money.models import Application, Envelope, LedgerTransaction, SubjectTotal
from tests.factories import make_user


def envelopes_url(org: Any, **query: Any) -> str:
    return reverse("money:envelopes", kwargs={"org_id": org.pk}) + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def apps_url(org: Any, query: str = "") -> str:
    return reverse("money:applications", kwargs={"org_id": org.pk}) + query


def approve(client: Any, app: Application, **extra: Any) -> Any:
    return client.post(reverse("money:approve", kwargs={"pk": app.pk}), extra.pop("data", {}), **extra)


def reject(client: Any, app: Application, reason: str, **extra: Any) -> Any:
    return client.post(reverse("money:reject", kwargs={"pk": app.pk}), {"reason": reason}, **extra)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def ledger_state() -> tuple[Any, ...]:
    return (
        list(Application.objects.order_by("pk").values_list("status", flat=True)),
        LedgerTransaction.objects.count(),
        list(Envelope.objects.order_by("pk").values_list("funded", "committed", "remaining")),
        list(SubjectTotal.objects.order_by("pk").values_list("total", flat=True)),
    )


def test_it_lists_a_years_envelopes_with_budget_approved_and_remaining_in_yuan(money, as_user, django_assert_num_queries) -> None:
    approved = money.submit(123_456, subject_id=1)
    services.application_approve(actor=money.users["org_admin"], application=approved)
    money.submit(50_000, subject_id=2)  # pending: shown apart, not yet taken from the budget
    services.envelope_create(actor=money.users["org_admin"], programme=money.programme, org=money.w.city_a1, year=2025)
    sibling = services.envelope_create(actor=money.users["prov_admin"], programme=money.programme, org=money.w.city_a2, year=2026)
    services.envelope_fund(actor=money.users["prov_admin"], envelope=sibling, amount=700_000)
    client = as_user("viewer")
    client.get(envelopes_url(money.w.city_a1))  # warm the session and the grants' first read
    with django_assert_num_queries(6):  # session, user with grants, org, years, envelopes, pending sums, the layout's scope roots
        r = client.get(envelopes_url(money.w.city_a1, year=2026))
    assert r.status_code == 200
    assert [(e.programme.name, e.org.name, e.funded, e.committed, e.remaining, e.pending) for e in r.context["envelopes"]] == [
        ("测试救助", "合肥市总工会", 10_000_000, 123_456, 9_876_544, 50_000)
    ]
    assert r.context["years"] == [2026, 2025]
    body = r.content.decode()
    row = (
        '<td class="num">¥100,000.00</td><td class="num">¥1,234.56<br><small class="muted">审批中 ¥500.00</small></td><td class="num">¥98,765.44</td>'
    )
    assert row in body
    assert "芜湖市总工会" not in body  # the sibling city's envelope is outside the viewer's subtree
    r = client.get(envelopes_url(money.w.city_a1, year=2025))
    assert [(e.year, e.funded, e.committed, e.remaining) for e in r.context["envelopes"]] == [(2025, 0, 0, 0)]


def test_an_empty_year_says_so_and_a_bad_year_falls_back_to_the_latest(money, as_user) -> None:
    client = as_user("cadre")
    assert "2024年度暂无预算" in client.get(envelopes_url(money.w.city_a1, year=2024)).content.decode()
    for bad in ("abc", "99999999999999999999999", "1999"):
        assert client.get(envelopes_url(money.w.city_a1, year=bad)).context["year"] == 2026


def test_it_lists_applications_with_status_and_the_step_waiting_for_a_decision(money, as_user, django_assert_num_queries) -> None:
    warmth = services.campaign_create(
        actor=money.users["prov_admin"], org=money.w.prov_a, name="2026年两节送温暖", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 28)
    )
    with time_machine.travel(dt.datetime(2026, 1, 20, 10, tzinfo=dt.UTC), tick=False):  # while the campaign runs
        small = money.submit(100_000, subject_id=1, fund_source="central", campaign=warmth)
    big = money.submit(3_000_000, subject_id=2)  # over ¥20,000: the province decides after the city
    services.application_approve(actor=money.users["org_admin"], application=big)
    services.application_reject(actor=money.users["org_admin"], application=money.submit(200_000, subject_id=3), reason="材料不全")
    client = login(as_user("anon"), money.users["org_admin"])
    client.get(apps_url(money.w.city_a1))
    with django_assert_num_queries(5):  # session, user with grants, org, page, its steps, the layout's scope roots
        r = client.get(apps_url(money.w.city_a1, "?status=pending"))
    rows = {row["a"].pk: (row["a"].get_status_display(), row["step"].seq, row["step"].org.name, row["can_decide"]) for row in r.context["rows"]}
    assert rows == {small.pk: ("审批中", 1, "合肥市总工会", True), big.pk: ("审批中", 2, "安徽省总工会", False)}
    body = r.content.decode()
    assert "第1/1级 · 合肥市总工会" in body and "第2/2级 · 安徽省总工会" in body and "待安徽省总工会审批" in body
    assert '测试救助 · 中央财政专项资金 · 2026年两节送温暖 · <a href="/hardship/files/1/">困难档案 #1</a>' in body
    assert '测试救助 · 本级工会经费 · <a href="/hardship/files/2/">困难档案 #2</a>' in body
    assert body.count('action="/money/applications/') == 2  # approve + reject for the small one only
    r = client.get(apps_url(money.w.city_a1, "?status=rejected"))
    assert [(row["a"].amount, row["step"]) for row in r.context["rows"]] == [(200_000, None)]
    # The province admin decides the big one's second step.
    r = login(client, money.users["prov_admin"]).get(apps_url(money.w.city_a1, "?status=pending"))
    assert {row["a"].pk: row["can_decide"] for row in r.context["rows"]} == {small.pk: True, big.pk: True}


def test_the_list_filters_by_envelope_and_htmx_gets_the_rows_only(money, as_user) -> None:
    other = services.envelope_create(actor=money.users["org_admin"], programme=money.programme, org=money.w.city_a1, year=2025)
    services.envelope_fund(actor=money.users["org_admin"], envelope=other, amount=100_000)
    mine = money.submit(100_000, subject_id=1, envelope=other)
    money.submit(100_000, subject_id=2)
    client = as_user("viewer")
    r = client.get(apps_url(money.w.city_a1, f"?envelope={other.pk}"))
    assert [row["a"].pk for row in r.context["rows"]] == [mine.pk]
    r = client.get(apps_url(money.w.city_a1, f"?envelope={other.pk}&status=pending"), HTTP_HX_REQUEST="true")
    assert r.templates[0].name == "money/_applications.html"
    assert r.content.decode().startswith('\n<div id="application-rows">')
    # An envelope outside the user's view is no filter at all (and leaks nothing).
    far = services.envelope_create(actor=money.users["other_admin"], programme=money.programme, org=money.w.prov_b, year=2026)
    r = client.get(apps_url(money.w.city_a1, f"?envelope={far.pk}"))
    assert (r.context["chosen"]["envelope"], len(r.context["rows"])) == (None, 2)


def test_approving_commits_the_budget_and_goes_back_to_the_list(money, as_user) -> None:
    app = money.submit(250_000)
    client = as_user("org_admin")
    back = apps_url(money.w.city_a1, "?status=pending")
    r = approve(client, app, data={"next": back})
    assert (r.status_code, r["Location"]) == (302, back)
    app.refresh_from_db()
    money.envelope.refresh_from_db()
    assert (app.status, money.envelope.committed, money.envelope.remaining) == ("approved", 250_000, 9_750_000)
    r = client.get(back)
    assert messages_of(r) == [f"已同意申请#{app.pk}"]
    assert r.context["rows"] == []


def test_an_unsafe_next_goes_to_the_unions_pending_list(money, as_user) -> None:
    app = money.submit(100_000)
    r = approve(as_user("org_admin"), app, data={"next": "https://example.com/x"})
    assert r["Location"] == apps_url(money.w.unit_a1, "?status=pending")


def test_the_maker_is_refused_in_words_and_only_the_refusal_is_recorded(money, as_user) -> None:
    app = money.submit(100_000, actor="org_admin")
    before = ledger_state()
    client = as_user("org_admin")
    r = approve(client, app)
    assert r.status_code == 302
    assert messages_of(client.get(r["Location"])) == ["录入人不能审批自己录入的申请（审批须由他人完成）"]
    assert ledger_state() == before
    assert list(AuditEvent.objects.filter(action="money.maker_checker_refused").values_list("target_id", "success")) == [(app.pk, False)]


def test_over_budget_is_refused_in_words_and_nothing_is_written(money, as_user) -> None:
    env = services.envelope_create(actor=money.users["org_admin"], programme=money.programme, org=money.w.city_a1, year=2025)
    services.envelope_fund(actor=money.users["org_admin"], envelope=env, amount=150_000)
    first, second = money.submit(100_000, subject_id=1, envelope=env), money.submit(100_000, subject_id=2, envelope=env)
    client = as_user("org_admin")
    approve(client, first)
    before = ledger_state()
    r = approve(client, second, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert r.context["notice"] == "预算余额不足：本次需要¥1,000.00，该预算已不足以支付"
    body = r.content.decode()
    assert body.startswith(f'<div class="card app" id="app-{second.pk}">')
    assert '<p class="error" role="status" data-testid="notice">预算余额不足：本次需要¥1,000.00，该预算已不足以支付</p>' in body
    assert ledger_state() == before
    env.refresh_from_db()
    assert (env.funded, env.committed, env.remaining) == (150_000, 100_000, 50_000)


def test_an_admin_of_the_wrong_level_is_refused_in_words(money, as_user) -> None:
    app = money.submit(3_000_000)  # the city, then the province
    services.application_approve(actor=money.users["org_admin"], application=app)
    second_city_admin = make_user("org_admin2", "org_admin", org=money.w.city_a1)
    before = ledger_state()
    client = login(as_user("anon"), second_city_admin)
    r = approve(client, app)
    assert messages_of(client.get(r["Location"])) == ["本环节须由安徽省总工会的管理员审批，您无此权限"]
    assert ledger_state() == before
    r = approve(login(client, money.users["prov_admin"]), app, HTTP_HX_REQUEST="true")
    assert (r.context["notice"], r.context["notice_ok"], r.context["r"]["a"].status) == (f"已同意申请#{app.pk}", True, "approved")


def test_rejecting_needs_a_reason_and_frees_the_cumulative_amount(money, as_user) -> None:
    app = money.submit(400_000, subject_id=9)
    client = as_user("org_admin")
    r = reject(client, app, "  ")
    assert messages_of(client.get(r["Location"])) == ["请填写驳回原因"]
    assert Application.objects.get(pk=app.pk).status == "pending"
    r = reject(client, app, "材料不全", HTTP_HX_REQUEST="true")
    assert (r.context["notice"], r.context["r"]["a"].get_status_display(), r.context["r"]["can_decide"]) == (f"已驳回申请#{app.pk}", "已驳回", False)
    assert list(SubjectTotal.objects.filter(subject_id=9).values_list("total", flat=True)) == [0]
    assert "<form" not in r.content.decode()


def test_a_read_only_user_gets_403_and_an_outsider_404_and_nothing_changes(money, as_user) -> None:
    app = money.submit(100_000)
    before = (ledger_state(), AuditEvent.objects.count())
    for role, status in (("viewer", 403), ("cadre", 403)):
        assert approve(as_user(role), app).status_code == status
        assert reject(as_user(role), app, "不符合条件").status_code == status
    outsider = login(as_user("anon"), money.users["other_admin"])  # an admin of another province
    assert approve(outsider, app).status_code == 404
    assert reject(outsider, app, "不符合条件").status_code == 404
    assert outsider.get(apps_url(money.w.city_a1)).status_code == 404
    assert (ledger_state(), AuditEvent.objects.count()) == before


def test_the_navigation_links_the_current_scopes_money_page(money, as_user) -> None:
    body = as_user("cadre").get("/").content.decode()
    assert f'<a href="/orgs/{money.w.city_a1.pk}/money/">资金</a>' in body


def test_a_second_decision_on_a_decided_application_is_refused_in_words(money, as_user) -> None:
    app = money.submit(100_000)
    client = as_user("org_admin")
    approve(client, app)
    before = ledger_state()
    r = reject(client, app, "重复提交", HTTP_HX_REQUEST="true")
    assert (r.context["notice"], r.context["notice_ok"]) == ("申请当前状态为“已批准”，不能驳回", False)
    assert ledger_state() == before
