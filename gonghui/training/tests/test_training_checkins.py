from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType, CheckIn, Session
from gonghui.lib.errors import ServiceError
from gonghui.training import services
from gonghui.training.models import TrainingAttendance
from gonghui.training.services import StaffEntry
from tests.factories import make_person

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _activity(org: Any) -> Activity:
    kind = ActivityType.objects.first() or ActivityType.objects.create(code="training", name="培训")
    return Activity.objects.create(
        title="安全生产培训", activity_type=kind, organizer=org, organizer_path=org.path, status="ongoing", created_at=AT, updated_at=AT
    )


def _session(activity: Activity, title: str) -> Session:
    return Session.objects.create(
        activity=activity, title=title, starts_at=AT, ends_at=AT + dt.timedelta(hours=2), place="职工学堂", checkin_key="k" + title, created_at=AT
    )


def _checkin(session: Session, person: Any) -> None:
    a = session.activity
    CheckIn.objects.create(
        session=session, activity=a, person=person, person_org=person.org, person_org_path=person.org_path, organizer=a.organizer,
        organizer_path=a.organizer_path, activity_type=a.activity_type, checked_at=timezone.now(), method="manual",
    )  # fmt: skip


def test_it_copies_check_ins_of_the_linked_session_for_that_batch_only(world: Any) -> None:
    act = _activity(world.unit_a1)
    s1, other = _session(act, "第一场"), _session(act, "第二场")
    p1, p2 = make_person(world.unit_a1, "甲"), make_person(world.unit_a1, "乙")  # 甲 batch 1, 乙 batch 2
    plan = services.plan_create(
        actor=None,
        org=world.unit_a1,
        title="培训",
        batches=2,
        staff=[StaffEntry(p1, "办公室"), StaffEntry(p2, "办公室")],
        source="upload",
        activity=act,
    )
    b1 = plan.batches.get(number=1)
    services.batch_update(actor=None, batch=b1, starts_on=dt.date(2026, 3, 2), place="职工学堂", session=s1)
    _checkin(s1, p1)
    _checkin(s1, p2)  # came to the wrong batch's session: not attendance of batch 1
    _checkin(other, p1)
    assert services.attendance_from_checkins(actor=None, batch=b1) == 1
    assert services.attendance_from_checkins(actor=None, batch=b1) == 0
    assert list(TrainingAttendance.objects.values_list("assignment__person__name", "method")) == [("甲", "checkin")]
    with pytest.raises(ServiceError) as e:
        services.batch_update(actor=None, batch=plan.batches.get(number=2), starts_on=None, place="", session=s1)
    assert e.value.message == "该场次已对应另一个批次"
    with pytest.raises(ServiceError) as e:
        services.attendance_from_checkins(actor=None, batch=plan.batches.get(number=2))
    assert e.value.message == "该批次没有对应的活动场次"
