from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.hardship.models import AnnualReview, ContactAssignment, DedupeConflict, FileEvent, HardshipFile, HouseholdClaim, Visit
from tests.factories import make_person

from .conftest import member

S = HardshipFile.Status
MARCH = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
THREE_CLEAR = {"cause_note": "丈夫患尿毒症长期透析", "needs_note": "医疗费用", "measures_note": "申请医疗救助"}


def post(client: Any, file: HardshipFile, step: str, **data: Any) -> Any:
    return client.post(reverse(f"hardship:file_{step}", kwargs={"pk": file.pk}), data)


def state(file: HardshipFile) -> tuple[Any, ...]:
    file.refresh_from_db()
    return (file.status, file.category, file.level, file.changed_at, FileEvent.objects.filter(file=file).count(), AuditEvent.objects.count())


def done(r: Any, file: HardshipFile) -> bool:
    return r.status_code == 302 and r["Location"] == reverse("hardship:detail", kwargs={"pk": file.pk})


def test_it_takes_a_file_from_draft_to_on_record_through_the_pages(hs, login) -> None:
    with time_machine.travel(MARCH, tick=False):
        file = hs.draft()
        unit = login("unit_cadre")
        assert done(post(unit, file, "submit"), file)
        assert "已提交" in unit.get(reverse("hardship:detail", kwargs={"pk": file.pk})).content.decode()
        assert done(post(unit, file, "prelim", note="材料齐全"), file)
        r = post(unit, file, "visit", visited_on="2026-03-02", channel="home", application_signed="on", consent_signed="on", **THREE_CLEAR)
        assert done(r, file)
        assert Visit.objects.filter(file=file).values_list("visited_on", "channel", "visitor_id").get() == (
            dt.date(2026, 3, 2), "home", hs.users["unit_cadre"].pk,
        )  # fmt: skip
        # the unit's cadre may not review: the service's refusal is shown, nothing changes
        before = state(file)
        r = post(unit, file, "review", note="")
        assert (r.status_code, r.context["steps"]["review"]["form"].non_field_errors()) == (200, ["复核须由县级及以上工会（帮扶中心）办理"])
        assert state(file) == before
        city = login("cadre")
        assert done(post(city, file, "review", note="民政核对无异常"), file)
        assert done(post(city, file, "publicize", notice_from="2026-03-02", notice_to="2026-03-08"), file)
        # during the notice period: an objection is logged, approval refused
        assert done(post(city, file, "objection", reason="邻居反映其有经营性收入"), file)
        before = state(file)
        r = post(city, file, "approve")
        assert r.context["steps"]["approve"]["form"].non_field_errors() == ["公示期至2026年03月08日，期满后才能批准建档"]
        assert "公示期至2026年03月08日，期满后才能批准建档" in r.content.decode()
        assert state(file) == before
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC), tick=False):
        assert done(post(login("cadre"), file, "approve"), file)  # (a week later: a new session)
    file.refresh_from_db()
    assert (file.status, file.category, file.filed_on, file.notice_from, file.notice_to) == (
        S.ACTIVE, "deep", dt.date(2026, 3, 9), dt.date(2026, 3, 2), dt.date(2026, 3, 8),
    )  # fmt: skip
    assert [(e.action, e.to_status, e.reason) for e in FileEvent.objects.filter(file=file)] == [
        ("create", "draft", ""),
        ("submit", "submitted", ""),
        ("prelim", "prelim_ok", "材料齐全"),
        ("visit", "visited", ""),
        ("review", "reviewed", "民政核对无异常"),
        ("publicize", "publicized", ""),
        ("objection", "publicized", "邻居反映其有经营性收入"),
        ("approve", "active", ""),
    ]


def test_it_shows_each_refusal_at_its_field_and_changes_nothing(hs, login) -> None:
    file = hs.draft()
    unit = login("unit_cadre")
    with time_machine.travel(MARCH, tick=False):
        post(unit, file, "submit")
        post(unit, file, "prelim")
        before = state(file)
        r = post(unit, file, "visit", visited_on="2026-03-02", channel="home", application_signed="on", **THREE_CLEAR)
        assert r.context["steps"]["visit"]["form"].errors == {
            "consent_signed": ["入户调查时职工须当面签署《困难职工帮扶申请书》和《家庭经济状况核对授权委托书》"]
        }
        r = post(unit, file, "visit", visited_on="2026-03-02", channel="home", application_signed="on", consent_signed="on", cause_note="")
        assert r.context["steps"]["visit"]["form"].errors == {"cause_note": ["请填写致困原因（“三清”）"]}
        r = post(unit, file, "return", reason="")
        assert r.context["steps"]["return"]["form"].errors == {"reason": ["请填写退回原因"]}
        assert "请填写退回原因" in r.content.decode()
        # a step the state does not allow
        r = post(unit, file, "lift", reason="收入提高")
        assert r.context["steps"]["lift"]["form"].non_field_errors() == ["档案当前状态为“初审通过”，不能脱困"]
        assert (state(file), Visit.objects.count()) == (before, 0)
        assert done(post(unit, file, "return", reason="缺少收入证明"), file)
    file.refresh_from_db()
    assert (file.status, HouseholdClaim.objects.filter(file=file).count()) == (S.RETURNED, 0)


def test_it_shows_the_holding_unions_name_and_route_when_submit_finds_a_duplicate(hs, login) -> None:
    hs.w.unit_a1.contact = "0551-62345678 工会办公室"
    hs.w.unit_a1.save()
    held = hs.on_file()
    spouse = held.members.get(relation="spouse")
    holder_b = make_person(hs.w.unit_b, "马福")
    draft = hs.draft(
        holder_b, actor="other_cadre",
        members=[member("self", "马福", holder_b.id_number(), wage="20000"), member("spouse", "李秀英", spouse.id_number(), work="unemployed")],
    )  # fmt: skip
    r = post(login("other_cadre"), draft, "submit")
    message = (
        f"比对发现重复建档，暂不能提交：李秀英（身份证尾号{spouse.id_tail}）已在合肥甲公司工会建档（联系方式：0551-62345678 工会办公室）。"
        "请与对方工会协调后再提交"
    )
    assert (r.status_code, r.context["steps"]["submit"]["form"].non_field_errors()) == (200, [message])
    assert message in r.content.decode()
    draft.refresh_from_db()
    assert (draft.status, DedupeConflict.objects.filter(file=draft, other_file=held).count()) == (S.DRAFT, 1)


def test_it_manages_a_file_on_record_through_the_pages(hs, login) -> None:
    file = hs.on_file()
    city = login("cadre")
    # adjust: the category is recomputed, the level set, the reason logged
    r = post(city, file, "adjust", level="county", reason="")
    assert r.context["steps"]["adjust"]["form"].errors == {"reason": ["请填写调整原因"]}
    assert done(post(city, file, "adjust", level="county", reason="区县帮扶中心复核"), file)
    # the contact: only named cadres over the union are offered, history kept
    r = city.get(reverse("hardship:detail", kwargs={"pk": file.pk}))
    assert [u.display_name for u in r.context["steps"]["contact"]["form"].fields["cadre"].queryset] == ["赵干事", "钱主任"]
    assert done(post(city, file, "contact", cadre=hs.users["unit_cadre"].pk), file)
    assert done(post(city, file, "contact", cadre=hs.users["cadre"].pk), file)
    r = post(city, file, "contact", cadre=hs.users["other_cadre"].pk)
    assert r.context["steps"]["contact"]["form"].errors == {"cadre": ["选择一个有效的选项： 该选择不在可用的选项中。"]}
    history = ContactAssignment.objects.filter(file=file).order_by("started_at", "id")
    assert [(c.cadre.display_name, c.ended_at is None) for c in history] == [("赵干事", False), ("钱主任", True)]
    body = city.get(reverse("hardship:detail", kwargs={"pk": file.pk})).content.decode()
    assert '钱主任 <span class="tag">现任</span>' in body
    # a visit by phone, the annual review, then the safety net, lift and cancel
    today = timezone.localdate().isoformat()
    assert done(post(city, file, "visit_log", visited_on=today, channel="phone", **THREE_CLEAR), file)
    assert done(post(city, file, "annual_review", year=2026, outcome="keep", note="家庭情况无变化"), file)
    r = post(city, file, "annual_review", year=2026, outcome="keep")
    assert r.context["steps"]["annual_review"]["form"].errors == {"year": ["2026年度已复核"]}
    assert done(post(city, file, "safety_net", reason="重病纳入政府兜底"), file)
    assert done(post(city, file, "lift", reason="病愈返岗"), file)
    r = post(city, file, "cancel", reason_code="other", reason="")
    assert r.context["steps"]["cancel"]["form"].errors == {"reason": ["请填写注销说明"]}
    assert done(post(city, file, "cancel", reason_code="retired", reason=""), file)
    file.refresh_from_db()
    assert (file.status, file.level, file.cancel_reason, file.closed_on) == (S.CANCELLED, "county", "retired", timezone.localdate())
    assert [(e.action, e.to_status, e.reason) for e in FileEvent.objects.filter(file=file)[7:]] == [
        ("adjust", "active", "区县帮扶中心复核"),
        ("safety_net", "safety_net", "重病纳入政府兜底"),
        ("lift", "lifted", "病愈返岗"),
        ("cancel", "cancelled", ""),
    ]
    assert list(Visit.objects.filter(file=file).values_list("channel", flat=True)) == ["phone", "home"]
    assert list(AnnualReview.objects.filter(file=file).values_list("year", "outcome")) == [(2026, "keep")]
    assert ContactAssignment.objects.filter(file=file, ended_at__isnull=True).count() == 0
    body = city.get(reverse("hardship:detail", kwargs={"pk": file.pk})).content.decode()
    assert "调整（困难类别 深度困难 → 深度困难，建档标准 基层 → 区县级）：区县帮扶中心复核" in body
    assert "注销 → 已注销（注销原因：退休）" in body


def test_it_converts_a_temporary_file_and_reviews_a_year_with_a_cancel(hs, login) -> None:
    temp = hs.on_file(kind="temporary")
    assert temp.status == S.TEMP_ACTIVE
    city = login("cadre")
    assert done(post(city, temp, "convert"), temp)
    temp.refresh_from_db()
    assert (temp.status, temp.kind) == (S.ACTIVE, "formal")
    r = post(city, temp, "annual_review", year=2026, outcome="cancel", cancel_reason="", note="")
    assert r.context["steps"]["annual_review"]["form"].errors == {"cancel_reason": ["请选择注销原因"]}
    assert done(post(city, temp, "annual_review", year=2026, outcome="cancel", cancel_reason="death"), temp)
    temp.refresh_from_db()
    assert (temp.status, temp.cancel_reason, AnnualReview.objects.get(file=temp).outcome) == (S.CANCELLED, "death", "cancel")


def test_a_unit_cadre_cannot_convert_and_a_viewer_cannot_post(hs, login) -> None:
    temp = hs.on_file(kind="temporary")
    before = state(temp)
    r = post(login("unit_cadre"), temp, "convert")
    assert r.context["steps"]["convert"]["form"].non_field_errors() == ["临时档案转正须由县级及以上工会（帮扶中心）办理"]
    assert post(login("viewer"), temp, "lift", reason="x").status_code == 403
    assert post(login("other_cadre"), temp, "lift", reason="x").status_code == 404
    assert state(temp) == before
