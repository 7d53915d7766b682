from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError

from gonghui.activities import services
from gonghui.activities.models import Activity, ActivityEvent, Registration
from gonghui.activities.tests.helpers import make_activity
from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.people import services as people_services
from gonghui.people.models import Membership
from tests.factories import make_person

S = Activity.Status
R = Registration.Status


def written() -> tuple[int, int, int]:
    return (Registration.objects.count(), ActivityEvent.objects.count(), AuditEvent.objects.count())


def states(session) -> list[tuple[str, str]]:
    return list(session.registrations.order_by("id").values_list("person__name", "status"))


def test_it_waitlists_beyond_capacity_and_promotes_the_oldest_waitlisted_on_cancel(world) -> None:
    a = make_activity(world.city_a1, capacity=2)
    s = a.sessions.get()
    p = [make_person(world.unit_a1, n) for n in ("甲", "乙", "丙", "丁")]
    regs = [services.registration_create(actor=None, session=s, person=x) for x in p]
    assert states(s) == [("甲", R.REGISTERED), ("乙", R.REGISTERED), ("丙", R.WAITLISTED), ("丁", R.WAITLISTED)]
    services.registration_cancel(actor=None, registration=regs[0])
    assert states(s) == [("甲", R.CANCELLED), ("乙", R.REGISTERED), ("丙", R.REGISTERED), ("丁", R.WAITLISTED)]
    promoted = AuditEvent.objects.get(action="activities.registration_promote")
    assert (promoted.target_id, promoted.data) == (regs[2].pk, {"session": s.pk, "person": p[2].pk})
    # A waitlisted person leaving frees no seat: nobody moves.
    services.registration_cancel(actor=None, registration=regs[3])
    assert states(s) == [("甲", R.CANCELLED), ("乙", R.REGISTERED), ("丙", R.REGISTERED), ("丁", R.CANCELLED)]
    with pytest.raises(ServiceError) as e:
        services.registration_cancel(actor=None, registration=regs[3])
    assert (e.value.field, e.value.message) == ("registration", "该报名已取消")


def test_it_lets_a_cancelled_person_register_again_at_the_back_of_the_queue(world) -> None:
    a = make_activity(world.city_a1, capacity=1)
    s = a.sessions.get()
    p1, p2 = make_person(world.unit_a1, "甲"), make_person(world.unit_a1, "乙")
    r1 = services.registration_create(actor=None, session=s, person=p1)
    services.registration_create(actor=None, session=s, person=p2)
    services.registration_cancel(actor=None, registration=r1)
    again = services.registration_create(actor=None, session=s, person=p1)
    assert again.status == R.WAITLISTED
    assert states(s) == [("甲", R.CANCELLED), ("乙", R.REGISTERED), ("甲", R.WAITLISTED)]


def test_it_refuses_a_duplicate_registration_and_writes_nothing(world) -> None:
    s = make_activity(world.city_a1).sessions.get()
    p = make_person(world.unit_a1, "甲")
    services.registration_create(actor=None, session=s, person=p)
    before = written()
    with pytest.raises(ServiceError) as e:
        services.registration_create(actor=None, session=s, person=p)
    assert (e.value.field, e.value.code, e.value.message) == ("person", "duplicate", "「甲」已报名该场次")
    assert written() == before


def test_it_turns_a_lost_race_on_the_unique_constraint_into_the_same_refusal(world) -> None:
    """Two requests pass the duplicate check at once; the second insert hits the constraint."""
    s = make_activity(world.city_a1).sessions.get()
    p = make_person(world.unit_a1, "甲")
    services.registration_create(actor=None, session=s, person=p)
    before = written()
    # _create_locked is the step after the checks: as if the check had raced past the first insert.
    with pytest.raises(ServiceError) as e:
        services._create_locked(actor=None, session=s, person=p)
    assert (e.value.code, e.value.message) == ("duplicate", "「甲」已报名该场次")
    assert written() == before
    # The constraint itself, not the service check, is what refused it.
    with pytest.raises(IntegrityError):
        Registration.objects.create(session=s, person=p, status=R.WAITLISTED, created_at=s.created_at)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.DRAFT, "活动尚未开始报名"),
        (S.PUBLISHED, "活动尚未开始报名"),
        (S.FINISHED, "活动已结束或已取消，不能报名"),
        (S.CANCELLED, "活动已结束或已取消，不能报名"),
    ],
)
def test_it_refuses_registration_when_the_activity_is_not_open(world, status, message) -> None:
    s = make_activity(world.city_a1, status=status).sessions.get()
    p = make_person(world.unit_a1, "甲")
    before = written()
    with pytest.raises(ServiceError) as e:
        services.registration_create(actor=None, session=s, person=p)
    assert (e.value.field, e.value.message) == ("session", message)
    assert written() == before


def test_it_accepts_registration_while_ongoing_and_refuses_it_after_the_session_ended(world) -> None:
    s = make_activity(world.city_a1, status=S.ONGOING).sessions.get()
    assert services.registration_create(actor=None, session=s, person=make_person(world.unit_a1, "甲")).status == R.REGISTERED
    p = make_person(world.unit_a1, "乙")
    before = written()
    with time_machine.travel(s.ends_at + dt.timedelta(minutes=1)), pytest.raises(ServiceError) as e:
        services.registration_create(actor=None, session=s, person=p)
    assert (e.value.field, e.value.message) == ("session", "该场次已结束，不能报名")
    assert written() == before


def test_it_refuses_people_outside_the_audience_or_without_an_active_membership(world) -> None:
    s = make_activity(world.unit_a1).sessions.get()
    outsider = make_person(world.unit_a2, "乙")
    retired = make_person(world.unit_a1, "丙")
    people_services.membership_transition(actor=None, membership=Membership.objects.get(person=retired), to_status="withdrawn", reason="离职")
    before = written()
    for person, name in ((outsider, "乙"), (retired, "丙")):
        with pytest.raises(ServiceError) as e:
            services.registration_create(actor=None, session=s, person=person)
        assert (e.value.field, e.value.code, e.value.message) == ("person", "outside_audience", f"「{name}」不在本活动的报名范围内")
    assert written() == before


def test_it_registers_in_bulk_all_or_nothing_naming_each_refused_person(world) -> None:
    s = make_activity(world.city_a1, capacity=2).sessions.get()
    inside = [make_person(world.unit_a1, n) for n in ("甲", "乙", "丙")]
    outside = [make_person(world.unit_a2, "丁"), make_person(world.unit_b, "戊")]
    before = written()
    with pytest.raises(ServiceError) as e:
        services.registration_bulk(actor=None, session=s, people=inside + outside)
    assert (e.value.field, e.value.message) == ("people", "以下人员不在本活动的报名范围内：「丁」、「戊」")
    assert written() == before
    regs = services.registration_bulk(actor=world.users["cadre"], session=s, people=inside)
    assert [r.status for r in regs] == [R.REGISTERED, R.REGISTERED, R.WAITLISTED]
    newcomer = make_person(world.unit_a1, "己")
    before = written()
    with pytest.raises(ServiceError) as e:
        services.registration_bulk(actor=None, session=s, people=[inside[1], newcomer, inside[2]])
    assert (e.value.field, e.value.message) == ("people", "以下人员已报名该场次：「乙」、「丙」")
    assert written() == before
    with pytest.raises(ServiceError) as e:
        services.registration_bulk(actor=None, session=s, people=[])
    assert (e.value.field, e.value.message) == ("people", "请至少选择一名人员")
