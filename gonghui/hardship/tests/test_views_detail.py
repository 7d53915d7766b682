from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.hardship import services
from tests.factories import make_user

from .conftest import visit


def _url(file) -> str:  # type: ignore[no-untyped-def]
    return reverse("hardship:detail", kwargs={"pk": file.pk})


def test_it_shows_the_household_masked_with_incomes_arithmetic_and_timeline(hs, login) -> None:
    file = hs.on_file()
    r = login("viewer").get(_url(file))
    body = r.content.decode()
    assert r.status_code == 200
    members = list(file.members.all())
    assert [m.id_number() in body for m in members] == [False, False, False]
    assert [m.id_masked in body for m in members] == [True, True, True]
    for text in ("张建国", "李秀英", "张小明", "¥20,000.00", "¥6,000.00", "深度困难", "合肥甲公司工会", "在档"):
        assert text in body, text
    assert r.context["lines"] == [
        "（家庭年度可支配收入 ¥20,000.00 − 因困支出 ¥6,000.00） ÷ 12 ÷ 3人 = ¥388.89/人·月，≤ 低保 ¥800.00",
        "（家庭年度可支配收入 ¥20,000.00 − 因困支出 ¥6,000.00 − 必要就业成本 ¥0.00） ÷ 12 ÷ 3人 = ¥388.89/人·月，≤ 2 × 低保 ¥1,600.00",
        "结论：深度困难",
    ]
    assert [(label, to, note) for _, label, to, note in r.context["events"]] == [
        ("建立草稿", "草稿", ""),
        ("提交审核", "已提交", "困难类别：深度困难"),
        ("初审通过", "初审通过", ""),
        ("入户调查", "已入户调查", ""),
        ("复核通过", "复核通过", "困难类别：深度困难"),
        ("公示", "公示中", "公示期 2026-03-02 至 2026-03-08"),
        ("批准建档", "在档", "困难类别：深度困难"),
    ]
    assert "2026-03-02 17:00 · 公示 → 公示中（公示期 2026-03-02 至 2026-03-08） · 钱主任" in body
    # a read-only user is offered no step and no full number
    assert (r.context["workflow"], r.context["steps"], r.context["can_reveal"]) == ([], {}, False)
    assert "当前没有您可办理的事项" in body and "查看完整号码" not in body


def test_it_offers_the_steps_of_the_state_and_of_the_viewers_union(hs, login) -> None:
    file = hs.draft()
    steps = lambda role: list(login(role).get(_url(file)).context["steps"])  # noqa: E731
    assert steps("unit_cadre") == ["submit", "contact"]
    assert login("unit_cadre").get(_url(file)).context["can_edit"] is True
    services.file_submit(actor=hs.users["unit_cadre"], file=file)
    assert steps("unit_cadre") == ["prelim", "return", "contact"]
    services.file_prelim(actor=hs.users["unit_cadre"], file=file)
    assert steps("unit_cadre") == ["visit", "return", "contact"]
    visit(file, hs.users["unit_cadre"], on=timezone.localdate())
    # 复核 and later steps belong to a county-level union or above (the city here)
    assert steps("unit_cadre") == ["return", "contact"]
    assert steps("cadre") == ["review", "return", "contact"]
    file = hs.on_file()
    assert steps("cadre") == ["adjust", "lift", "safety_net", "cancel", "annual_review", "visit_log", "contact"]
    services.file_lift(actor=hs.users["cadre"], file=file, reason="再就业")
    assert steps("cadre") == ["submit", "cancel", "visit_log", "contact"]
    page = login("cadre").get(_url(file)).content.decode()
    assert "返困重新申请" in page
    services.file_cancel(actor=hs.users["cadre"], file=file, reason_code="death")
    assert steps("cadre") == []


def test_it_reveals_a_members_number_to_a_user_allowed_to_and_audits_it(hs, login) -> None:
    file = hs.on_file()
    spouse = file.members.get(relation="spouse")
    url = reverse("hardship:member_reveal", kwargs={"pk": spouse.pk})
    assert "查看完整号码" in login("fed_admin").get(_url(file)).content.decode()
    r = login("fed_admin").post(url)
    assert (r.status_code, r["Cache-Control"], r.content.decode()) == (
        200,
        "no-store",
        f'<strong data-testid="revealed">{spouse.id_number()}</strong>\n',
    )
    trail = AuditEvent.objects.filter(action="hardship.member_reveal")
    assert [(a.actor_id, a.target_id, a.org_id, a.data) for a in trail] == [
        (hs.users["fed_admin"].pk, file.pk, hs.w.unit_a1.pk, {"member": spouse.pk})
    ]
    assert login("cadre").post(url).status_code == 403
    assert login("other_cadre").post(url).status_code == 404
    assert trail.count() == 1


def test_it_hides_a_file_outside_the_users_view(hs, login) -> None:
    file = hs.on_file()
    assert login("other_cadre").get(_url(file)).status_code == 404
    outsider = make_user("outsider", "cadre", org=hs.w.unit_a2)
    hs.users["outsider"] = outsider
    assert login("outsider").get(_url(file)).status_code == 404
