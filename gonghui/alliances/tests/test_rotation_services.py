from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType, Session
from gonghui.alliances import queries, services
from gonghui.alliances.models import MemberBlackout, MemberStrength, RotationEvent, RotationPlan, RotationTurn, RotationTurnActivity
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from tests.factories import L, make_org

D = dt.date


@pytest.fixture
def four(world):
    """The world's alliance with four member unions: 甲 (保安), 乙, 丙 (食品), 丁."""
    w = world
    extra = [make_org(w.city_a1, name, L.GRASSROOTS) for name in ("合肥丙食品公司工会", "合肥丁公司工会")]
    for org in extra:
        services.alliance_member_join(actor=None, alliance=w.alliance, org=org, joined_on=D(2020, 3, 1))
    members = list(w.alliance.members.order_by("joined_on", "id"))
    types = {t.code: t for t in ActivityType.objects.all()}
    services.member_strengths_set(actor=None, member=members[0], activity_types=[types["skills"]])
    services.member_strengths_set(actor=None, member=members[2], activity_types=[types["training"]])
    return w, members, types


def hosts(plan: RotationPlan) -> list[str]:
    return [t.host.org.name for t in plan.turns.order_by("starts_on", "id")]


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="alliances.rotation").order_by("id").values_list("action", flat=True))


def test_it_generates_a_balanced_rotation_that_honours_strengths(four) -> None:
    w, m, types = four
    plan = services.rotation_generate(
        actor=w.users["coord"],
        alliance=w.alliance,
        start=D(2026, 1, 1),
        periods=6,
        period_kind="month",
        wanted_types=[types["training"], types["skills"]],
    )
    # Round 1: training → 丙, skills → 甲, then 乙 and 丁 by join order; round 2 starts level.
    assert hosts(plan) == ["合肥丙食品公司工会", "合肥甲公司工会", "芜湖乙公司工会", "合肥丁公司工会", "合肥丙食品公司工会", "合肥甲公司工会"]
    first = plan.turns.order_by("starts_on").first()
    assert (first.starts_on, first.ends_on, first.wanted_type.code, first.status, first.period_label) == (
        D(2026, 1, 1),
        D(2026, 1, 31),
        "training",
        "planned",
        "2026年1月",
    )
    assert RotationEvent.objects.filter(kind="generated").count() == 6
    ev = AuditEvent.objects.get(action="alliances.rotation_generate")
    assert (ev.actor_id, ev.org_id, ev.data["periods"], ev.data["hosts"]) == (
        w.users["coord"].pk,
        w.city_a1.pk,
        6,
        [m[2].pk, m[0].pk, m[1].pk, m[3].pk, m[2].pk, m[0].pk],
    )


def test_it_carries_the_ledger_into_the_next_plan(four) -> None:
    w, m, _ = four
    services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=6, period_kind="month")
    assert {k: v[0] for k, v in queries.hosted_counts(w.alliance).items()} == {m[0].pk: 2, m[1].pk: 2, m[2].pk: 1, m[3].pk: 1}
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 7, 1), periods=1, period_kind="quarter")
    assert hosts(plan) == ["合肥丙食品公司工会"]
    assert plan.turns.get().period_label == "2026年第3季度"


def test_it_refuses_a_rotation_with_no_eligible_host_and_writes_nothing(four) -> None:
    w, m, _ = four
    for member in m:
        services.member_blackout_add(actor=None, member=member, starts_on=D(2026, 2, 10), ends_on=D(2026, 2, 20), reason="春节")
    before = (RotationPlan.objects.count(), RotationTurn.objects.count(), RotationEvent.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError) as e:
        services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=3, period_kind="month")
    assert (e.value.message, e.value.field, e.value.code) == (
        "2026年2月没有可轮值的成员工会（各成员在该期均有避开日期或尚未加入），未生成任何安排",
        "start",
        "no_eligible_host",
    )
    assert (RotationPlan.objects.count(), RotationTurn.objects.count(), RotationEvent.objects.count(), AuditEvent.objects.count()) == before


def test_it_never_plans_a_host_inside_its_blackout_or_before_it_joined(four) -> None:
    w, m, _ = four
    services.member_blackout_add(actor=None, member=m[0], starts_on=D(2026, 1, 15), ends_on=D(2026, 3, 1), reason="安保任务")
    late = make_org(w.city_a1, "合肥戊公司工会", L.GRASSROOTS)
    services.alliance_member_join(actor=None, alliance=w.alliance, org=late, joined_on=D(2026, 4, 1))
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=5, period_kind="month")
    # 甲 is away Jan 15 – Mar 1; 戊 joins in April. In April 甲 and 戊 are both due and have never
    # hosted: join order gives it to 甲; 戊 follows in May.
    assert hosts(plan) == ["芜湖乙公司工会", "合肥丙食品公司工会", "合肥丁公司工会", "合肥甲公司工会", "合肥戊公司工会"]


def test_it_refuses_bad_periods_and_overlaps(four) -> None:
    w, *_ = four
    cases = [
        ({"start": D(2026, 1, 2), "periods": 3, "period_kind": "month"}, ("start", "开始日期须为某月1日")),
        ({"start": D(2026, 2, 1), "periods": 3, "period_kind": "quarter"}, ("start", "按季度轮值须从1、4、7、10月的1日开始")),
        ({"start": D(2026, 1, 1), "periods": 0, "period_kind": "month"}, ("periods", "期数须在1到24之间")),
        ({"start": D(2026, 1, 1), "periods": 3, "period_kind": "week"}, ("period_kind", "轮值周期无效")),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ServiceError) as e:
            services.rotation_generate(actor=None, alliance=w.alliance, **kwargs)
        assert (e.value.field, e.value.message) == expected
    services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=1, period_kind="quarter")
    with pytest.raises(ServiceError) as e:
        services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 3, 1), periods=2, period_kind="month")
    assert e.value.message == "所选期间与已有的轮值安排重叠（2026年第1季度），未生成任何安排"
    assert RotationPlan.objects.count() == 1


def test_it_swaps_two_hosts_with_the_reason_recorded(four) -> None:
    w, m, _ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=4, period_kind="month")
    jan, feb = plan.turns.order_by("starts_on")[:2]
    with pytest.raises(ServiceError) as e:
        services.turn_swap(actor=w.users["cadre"], turn_a=jan, turn_b=feb, reason="  ")
    assert (e.value.field, e.value.message) == ("reason", "请填写原因")
    services.turn_swap(actor=w.users["cadre"], turn_a=jan, turn_b=feb, reason="甲公司一月年检")
    jan.refresh_from_db()
    feb.refresh_from_db()
    assert (jan.host_id, jan.status, jan.reason, feb.host_id, feb.status) == (m[1].pk, "swapped", "甲公司一月年检", m[0].pk, "swapped")
    ev = RotationEvent.objects.filter(kind="swapped").order_by("id")
    assert [(e.turn_id, e.from_host_id, e.to_host_id, e.reason) for e in ev] == [
        (jan.pk, m[0].pk, m[1].pk, "甲公司一月年检"),
        (feb.pk, m[1].pk, m[0].pk, "甲公司一月年检"),
    ]
    assert audit_actions() == ["alliances.rotation_generate", "alliances.rotation_swap"]
    assert AuditEvent.objects.get(action="alliances.rotation_swap").data == {"other": feb.pk, "hosts": [m[1].pk, m[0].pk], "reason": "甲公司一月年检"}


def test_it_refuses_a_swap_into_a_blackout_and_changes_nothing(four) -> None:
    w, m, _ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=4, period_kind="month")
    jan, feb = plan.turns.order_by("starts_on")[:2]
    services.member_blackout_add(actor=None, member=m[0], starts_on=D(2026, 2, 1), ends_on=D(2026, 2, 5), reason="审计")
    with pytest.raises(ServiceError) as e:
        services.turn_swap(actor=None, turn_a=jan, turn_b=feb, reason="调整")
    assert (e.value.field, e.value.message) == ("other", "合肥甲公司工会在2026年2月有避开日期（审计），不能轮值")
    assert list(plan.turns.order_by("starts_on").values_list("host", "status")) == [
        (m[0].pk, "planned"),
        (m[1].pk, "planned"),
        (m[2].pk, "planned"),
        (m[3].pk, "planned"),
    ]
    assert RotationEvent.objects.filter(kind="swapped").count() == 0


def test_a_skipped_unit_keeps_its_debt_and_a_due_unit_stands_in(four) -> None:
    w, m, _ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=4, period_kind="month")
    jan = plan.turns.order_by("starts_on").first()
    stand_in = services.turn_skip(actor=w.users["coord"], turn=jan, reason="甲公司停产检修")
    jan.refresh_from_db()
    assert (jan.status, jan.reason) == ("skipped", "甲公司停产检修")
    # The other three each have one planned turn (Feb, Mar, Apr): the longest since hosted is the
    # one whose turn starts earliest, 乙 (February), and it stands in.
    assert (stand_in.host_id, stand_in.starts_on, stand_in.replaces_id, stand_in.status) == (m[1].pk, D(2026, 1, 1), jan.pk, "planned")
    counts = {k: v[0] for k, v in queries.hosted_counts(w.alliance).items()}
    assert counts == {m[1].pk: 2, m[2].pk: 1, m[3].pk: 1}
    nxt = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 5, 1), periods=1, period_kind="month")
    assert hosts(nxt) == ["合肥甲公司工会"]  # the skipped unit is due first
    ev = AuditEvent.objects.get(action="alliances.rotation_skip")
    assert (ev.target_id, ev.data) == (jan.pk, {"reason": "甲公司停产检修", "stand_in": m[1].pk})
    assert list(RotationEvent.objects.filter(kind__in=["skipped", "replaced"]).values_list("kind", "from_host", "to_host")) == [
        ("skipped", m[0].pk, None),
        ("replaced", m[0].pk, m[1].pk),
    ]


def test_a_skip_with_no_stand_in_available_changes_nothing(world) -> None:
    w = world
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=1, period_kind="month")
    jan = plan.turns.get()
    other = w.alliance.members.exclude(pk=jan.host_id).get()
    services.member_blackout_add(actor=None, member=other, starts_on=D(2026, 1, 31), ends_on=D(2026, 1, 31), reason="搬迁")
    n_audit = AuditEvent.objects.count()
    with pytest.raises(ServiceError) as e:
        services.turn_skip(actor=None, turn=jan, reason="停产")
    assert (e.value.field, e.value.message) == ("replace", "2026年1月没有其他可接替的成员工会，未做任何更改")
    jan.refresh_from_db()
    assert (jan.status, RotationTurn.objects.count(), AuditEvent.objects.count()) == ("planned", 1, n_audit)
    assert services.turn_skip(actor=None, turn=jan, reason="停产", replace=False) is None
    jan.refresh_from_db()
    assert (jan.status, RotationTurn.objects.count()) == ("skipped", 1)


def test_it_marks_a_turn_done_once_its_period_has_begun(four) -> None:
    w, *_ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=2, period_kind="month")
    jan, feb = plan.turns.order_by("starts_on")
    with time_machine.travel(dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ServiceError) as e:
            services.turn_done(actor=None, turn=feb)
        assert e.value.message == "2026年2月尚未开始，不能标记为已完成"
        services.turn_done(actor=None, turn=jan)
    jan.refresh_from_db()
    assert jan.status == "done"
    with pytest.raises(ServiceError) as e:
        services.turn_skip(actor=None, turn=jan, reason="补记")
    assert e.value.message == "2026年1月的轮值已完成或已跳过"


def make_activity(w, org, *, alliance=None, title="保安技能比武", session_day=None) -> Activity:
    now = timezone.now()
    a = Activity.objects.create(
        title=title,
        activity_type=ActivityType.objects.get(code="skills"),
        organizer=org,
        organizer_path=org.path,
        alliance=alliance,
        created_at=now,
        updated_at=now,
    )
    if session_day:
        start = dt.datetime.combine(session_day, dt.time(9), tzinfo=timezone.get_current_timezone())
        Session.objects.create(activity=a, starts_at=start, ends_at=start + dt.timedelta(hours=2), place="礼堂", checkin_key="k", created_at=now)
    return a


def test_it_links_the_periods_activities_to_its_turn(four) -> None:
    w, _m, _ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=2, period_kind="month")
    jan, feb = plan.turns.order_by("starts_on")
    own = make_activity(w, jan.host.org, session_day=D(2026, 1, 20))
    alliance_wide = make_activity(w, w.city_a1, alliance=w.alliance, title="联盟烘焙培训")
    stranger = make_activity(w, w.unit_b, title="别处活动")
    wrong_month = make_activity(w, jan.host.org, title="二月活动", session_day=D(2026, 2, 3))
    services.turn_link_activity(actor=None, turn=jan, activity=own)
    services.turn_link_activity(actor=None, turn=jan, activity=alliance_wide)
    assert sorted(a.title for a in jan.activities.all()) == ["保安技能比武", "联盟烘焙培训"]
    refusals = [
        (jan, stranger, "只能关联本联盟的活动或轮值单位主办的活动"),
        (jan, wrong_month, "活动的场次不在2026年1月内"),
        (feb, alliance_wide, "该活动已关联到某一期轮值"),
    ]
    for turn, activity, message in refusals:
        with pytest.raises(ServiceError) as e:
            services.turn_link_activity(actor=None, turn=turn, activity=activity)
        assert (e.value.field, e.value.message) == ("activity", message)
    assert RotationTurnActivity.objects.count() == 2
    assert AuditEvent.objects.filter(action="alliances.rotation_link").count() == 2
    assert [a.title for a in queries.linkable_activities(feb)] == []  # feb's host (乙) organizes none; the alliance's is taken


def test_it_sets_strengths_and_blackouts_with_reasons(four) -> None:
    _w, m, types = four
    services.member_strengths_set(actor=None, member=m[0], activity_types=[types["skills"], types["law"]])
    services.member_strengths_set(actor=None, member=m[0], activity_types=[types["law"]])
    assert list(MemberStrength.objects.filter(member=m[0]).values_list("activity_type__code", flat=True)) == ["law"]
    with pytest.raises(ServiceError) as e:
        services.member_blackout_add(actor=None, member=m[1], starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 2), reason="")
    assert (e.value.field, e.value.message) == ("reason", "请填写原因")
    with pytest.raises(ServiceError) as e:
        services.member_blackout_add(actor=None, member=m[1], starts_on=D(2026, 1, 2), ends_on=D(2026, 1, 1), reason="x")
    assert (e.value.field, e.value.message) == ("ends_on", "结束日期不能早于开始日期")
    b = services.member_blackout_add(actor=None, member=m[1], starts_on=D(2026, 1, 1), ends_on=D(2026, 1, 2), reason="年检")
    pk = b.pk
    services.member_blackout_delete(actor=None, blackout=b)
    assert MemberBlackout.objects.count() == 0
    assert list(AuditEvent.objects.filter(action__in=["alliances.blackout_add", "alliances.blackout_delete"]).values_list("action", "target_id")) == [
        ("alliances.blackout_add", pk),
        ("alliances.blackout_delete", pk),
    ]


def test_it_flags_open_turns_whose_host_declared_a_blackout_later(four) -> None:
    w, m, _ = four
    plan = services.rotation_generate(actor=None, alliance=w.alliance, start=D(2026, 1, 1), periods=2, period_kind="month")
    services.member_blackout_add(actor=None, member=m[1], starts_on=D(2026, 2, 27), ends_on=D(2026, 3, 3), reason="搬迁")
    feb = plan.turns.get(starts_on=D(2026, 2, 1))
    assert queries.turns_in_blackout(list(plan.turns.all())) == {feb.pk}
