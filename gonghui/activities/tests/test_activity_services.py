from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from gonghui.activities import services
from gonghui.activities.models import Activity, ActivityAudience, ActivityEvent, ActivityType, Registration, Session
from gonghui.activities.tests.helpers import make_activity
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from tests.factories import make_person

S = Activity.Status


def lecture() -> ActivityType:
    return ActivityType.objects.get(code="lecture")


def counts() -> tuple[int, ...]:
    return (
        Activity.objects.count(),
        Session.objects.count(),
        Registration.objects.count(),
        ActivityEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_it_creates_a_draft_addressed_to_the_organizer_with_an_event_and_an_audit_row(world) -> None:
    cadre = world.users["cadre"]
    a = services.activity_create(
        actor=cadre, organizer=world.city_a1, activity_type=lecture(), title=" 劳模宣讲 ", co_organizers=[world.city_a2, world.city_a1]
    )
    assert (a.title, a.status, a.organizer_path) == ("劳模宣讲", "draft", world.city_a1.path)
    assert list(a.audience.values_list("org_id", "org_path")) == [(world.city_a1.pk, world.city_a1.path)]
    assert list(a.co_organizers.all()) == [world.city_a2]
    assert list(a.events.values_list("from_status", "to_status", "actor")) == [("", "draft", cadre.pk)]
    ev = AuditEvent.objects.get(action="activities.create")
    assert (ev.target_id, ev.org_id, ev.actor_id, ev.data) == (a.pk, world.city_a1.pk, cadre.pk, {"audience": [world.city_a1.pk]})


def test_it_addresses_an_alliance_activity_to_the_current_member_unions(world) -> None:
    a = services.activity_create(actor=None, organizer=world.city_a1, activity_type=lecture(), title="联盟运动会", alliance=world.alliance)
    assert sorted(a.audience.values_list("org_id", flat=True)) == sorted([world.unit_a1.pk, world.unit_a2.pk])


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"title": "  "}, "title", "活动名称不能为空"),
        ({"audience": "unit_b"}, "audience", "面向工会「西宁丙公司工会」不在主办单位的下级范围内"),
        ({"alliance": "alliance_b"}, "alliance", "主办单位不是该联盟的牵头工会或成员工会"),
    ],
)
def test_it_refuses_bad_activity_input_and_writes_nothing(world, kwargs, field, message) -> None:
    args = {"title": "读书会"} | kwargs
    if args.get("audience") == "unit_b":
        args["audience"] = [world.unit_b]
    if args.get("alliance") == "alliance_b":
        args["alliance"] = world.alliance_b
    before = counts()
    with pytest.raises(ServiceError) as e:
        services.activity_create(actor=None, organizer=world.city_a1, activity_type=lecture(), **args)
    assert (e.value.field, e.value.message) == (field, message)
    assert counts() == before


def test_it_walks_the_whole_lifecycle_with_one_event_and_one_audit_row_per_transition(world) -> None:
    a = make_activity(world.city_a1, status=S.DRAFT)
    cadre = world.users["cadre"]
    for to in (S.PUBLISHED, S.REGISTERING, S.ONGOING):
        services.activity_transition(actor=cadre, activity=a, to_status=to, note=f"到{to}")
    services.activity_transition(actor=cadre, activity=a, to_status=S.FINISHED, summary="共 30 人参加")
    a.refresh_from_db()
    assert (a.status, a.summary) == ("finished", "共 30 人参加")
    transitions = list(a.events.filter(session__isnull=True).values_list("from_status", "to_status"))
    assert transitions == [("", "draft"), ("draft", "published"), ("published", "registering"), ("registering", "ongoing"), ("ongoing", "finished")]
    audits = list(AuditEvent.objects.filter(action="activities.transition", target_id=a.pk).order_by("id").values_list("data", flat=True))
    assert [(d["from"], d["to"]) for d in audits] == [
        ("draft", "published"),
        ("published", "registering"),
        ("registering", "ongoing"),
        ("ongoing", "finished"),
    ]


def test_it_refuses_an_invalid_transition_naming_both_states_and_writes_nothing(world) -> None:
    a = make_activity(world.city_a1, status=S.PUBLISHED)
    before = counts()
    with pytest.raises(ServiceError) as e:
        services.activity_transition(actor=None, activity=a, to_status=S.FINISHED, summary="x")
    assert (e.value.field, e.value.code, e.value.message) == ("to_status", "invalid_transition", "活动状态不能从「已发布」变为「已结束」")
    assert counts() == before
    a.refresh_from_db()
    assert a.status == "published"


def test_it_requires_a_summary_to_finish(world) -> None:
    a = make_activity(world.city_a1, status=S.ONGOING)
    before = counts()
    with pytest.raises(ServiceError) as e:
        services.activity_transition(actor=None, activity=a, to_status=S.FINISHED, summary="  ")
    assert (e.value.field, e.value.message) == ("summary", "结束活动须填写活动总结")
    assert counts() == before


def test_it_requires_a_session_before_publishing(world) -> None:
    a = services.activity_create(actor=None, organizer=world.city_a1, activity_type=lecture(), title="无场次")
    with pytest.raises(ServiceError) as e:
        services.activity_transition(actor=None, activity=a, to_status=S.PUBLISHED)
    assert (e.value.field, e.value.message) == ("sessions", "请先添加至少一个场次")


def test_it_cancels_open_registrations_when_the_activity_is_cancelled(world) -> None:
    a = make_activity(world.city_a1, status=S.REGISTERING)
    services.registration_create(actor=None, session=a.sessions.get(), person=make_person(world.city_a1, "甲"))
    services.activity_transition(actor=None, activity=a, to_status=S.CANCELLED, note="天气原因")
    assert list(Registration.objects.values_list("status", flat=True)) == ["cancelled"]
    assert AuditEvent.objects.get(action="activities.transition", data__to="cancelled").data["registrations_cancelled"] == 1


def test_it_updates_only_in_draft_or_published(world) -> None:
    a = make_activity(world.city_a1, status=S.PUBLISHED)
    services.activity_update(actor=None, activity=a, data={"title": "新名称", "venue": "二楼", "audience": [world.unit_a1]})
    a.refresh_from_db()
    assert (a.title, a.venue, list(ActivityAudience.objects.filter(activity=a).values_list("org_id", flat=True))) == (
        "新名称",
        "二楼",
        [world.unit_a1.pk],
    )
    assert AuditEvent.objects.get(action="activities.update").data == {
        "title": ["职工读书会", "新名称"],
        "venue": ["", "二楼"],
        "audience": [world.unit_a1.pk],
    }
    services.activity_transition(actor=None, activity=a, to_status=S.REGISTERING)
    before = counts()
    with pytest.raises(ServiceError) as e:
        services.activity_update(actor=None, activity=a, data={"title": "再改"})
    assert (e.value.field, e.value.message) == ("status", "活动已开始报名或已结束，不能再修改")
    assert counts() == before


def test_it_adds_sessions_with_an_event_and_refuses_bad_times_and_capacity(world) -> None:
    a = make_activity(world.city_a1, status=S.DRAFT)
    start = timezone.now() + dt.timedelta(days=3)
    s = services.session_add(
        actor=None, activity=a, starts_at=start, ends_at=start + dt.timedelta(hours=1), place="礼堂", capacity=50, title="第二场"
    )
    assert (s.capacity, len(s.checkin_key)) == (50, 32)
    assert a.events.filter(session=s).values_list("note", flat=True).get() == "新增场次：第二场"
    before = counts()
    for kwargs, field, message in [
        ({"ends_at": start}, "ends_at", "结束时间须晚于开始时间"),
        ({"capacity": 0}, "capacity", "名额须至少为 1（不限名额请留空）"),
        ({"place": " "}, "place", "地点不能为空"),
    ]:
        args = {"starts_at": start, "ends_at": start + dt.timedelta(hours=1), "place": "礼堂", "capacity": 5} | kwargs
        with pytest.raises(ServiceError) as e:
            services.session_add(actor=None, activity=a, **args)
        assert (e.value.field, e.value.message) == (field, message)
    assert counts() == before


def test_its_refusals_are_in_english_when_the_user_chose_english(world) -> None:
    a = make_activity(world.city_a1, status=S.REGISTERING, capacity=1)
    s = a.sessions.get()
    p1 = make_person(world.city_a1, "甲")
    services.registration_create(actor=None, session=s, person=p1)
    start = timezone.now() + dt.timedelta(days=3)
    with translation.override("en"):
        with pytest.raises(ServiceError) as bad_time:
            services.session_add(actor=None, activity=a, starts_at=start, ends_at=start, place="礼堂", capacity=5)
        with pytest.raises(ServiceError) as twice:
            services.registration_create(actor=None, session=s, person=p1)
        with pytest.raises(ServiceError) as transition:
            services.activity_transition(actor=None, activity=a, to_status=S.DRAFT)
    assert bad_time.value.message == "The end time must be after the start time"
    assert twice.value.message == f"{services._names([p1])} already registered for this session"
    assert transition.value.message == "The activity cannot go from “Open for registration” to “Draft”"


def test_it_cancels_a_session_and_its_registrations_promoting_nobody(world) -> None:
    a = make_activity(world.city_a1, status=S.REGISTERING, capacity=1)
    s = a.sessions.get()
    p1, p2 = make_person(world.city_a1, "甲"), make_person(world.city_a1, "乙")
    services.registration_create(actor=None, session=s, person=p1)
    services.registration_create(actor=None, session=s, person=p2)
    services.session_cancel(actor=None, session=s, note="场地维修")
    assert list(s.registrations.order_by("id").values_list("status", flat=True)) == ["cancelled", "cancelled"]
    assert a.events.filter(session=s).order_by("id").values_list("note", flat=True)[1] == "取消场次：职工之家；场地维修"
    with pytest.raises(ServiceError, match="该场次已取消"):
        services.session_cancel(actor=None, session=s)
    with pytest.raises(ServiceError) as e:
        services.registration_create(actor=None, session=s, person=make_person(world.city_a1, "丙"))
    assert (e.value.field, e.value.message) == ("session", "该场次已取消，不能报名")
