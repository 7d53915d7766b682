from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.training import queries, services, staff
from gonghui.training.models import TrainingAssignment, TrainingAttendance, TrainingPlan
from gonghui.training.services import StaffEntry
from tests.factories import L, make_org, make_person


def _staff(org: Any, spec: dict[str, int]) -> list[StaffEntry]:
    return [StaffEntry(person=make_person(org, f"{dept}{i}"), department=dept) for dept, n in spec.items() for i in range(n)]


def test_it_creates_a_plan_with_department_caps_and_an_audit_row(world: Any) -> None:
    people = _staff(world.unit_a1, {"办公室": 5, "财务科": 3, "车间": 1})
    plan = services.plan_create(actor=world.users["cadre"], org=world.unit_a1, title="安全生产培训", batches=2, staff=people, source="upload")
    per = {(d, b): 0 for d in ("办公室", "财务科", "车间") for b in (1, 2)}
    for a in TrainingAssignment.objects.filter(plan=plan).select_related("batch"):
        per[(a.department, a.batch.number)] += 1
    assert per == {("办公室", 1): 3, ("办公室", 2): 2, ("财务科", 1): 1, ("财务科", 2): 2, ("车间", 1): 1, ("车间", 2): 0}
    assert list(plan.batches.values_list("number", flat=True)) == [1, 2]
    event = AuditEvent.objects.get(action="training.plan_create")
    assert (event.target_id, event.org_id, event.data) == (
        plan.pk,
        world.unit_a1.pk,
        {"batches": 2, "people": 9, "departments": 3, "source": "upload"},
    )


def test_it_takes_the_roll_of_the_subtree_with_each_union_as_department(world: Any) -> None:
    shop = make_org(world.unit_a1, "一车间分工会", L.GRASSROOTS)
    make_person(shop, "车间甲")
    make_person(shop, "车间乙")
    make_person(world.unit_a1, "机关丙", status="applied")  # not a member yet: not listed
    people = staff.from_roll(world.users["cadre"], world.unit_a1)
    assert sorted((e.person.name, e.department) for e in people) == [
        ("own人员", "合肥甲公司工会"),
        ("车间乙", "一车间分工会"),
        ("车间甲", "一车间分工会"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message", "field"),
    [
        ({"title": " "}, "请填写培训名称", "title"),
        ({"batches": 0}, "分批数应在1到50之间", "batches"),
        ({"batches": 51}, "分批数应在1到50之间", "batches"),
        ({"batches": 4}, "分批数（4）不能多于名单人数（3）", "batches"),
        ({"staff": []}, "名单中没有人员", "source"),
    ],
)
def test_it_refuses_bad_plans_and_writes_nothing(world: Any, kwargs: dict[str, Any], message: str, field: str) -> None:
    args = {"title": "培训", "batches": 2, "staff": _staff(world.unit_a1, {"办公室": 3}), "source": "roll"} | kwargs
    with pytest.raises(ServiceError) as e:
        services.plan_create(actor=None, org=world.unit_a1, **args)
    assert (e.value.message, e.value.field) == (message, field)
    assert (TrainingPlan.objects.count(), TrainingAssignment.objects.count(), AuditEvent.objects.filter(action__startswith="training").count()) == (
        0,
        0,
        0,
    )


def test_it_refuses_people_outside_the_plan_union_and_duplicates(world: Any) -> None:
    outsider = world.people["sibling"]
    with pytest.raises(ServiceError) as e:
        services.plan_create(actor=None, org=world.unit_a1, title="培训", batches=1, staff=[StaffEntry(outsider, "办公室")], source="upload")
    assert e.value.message == f"sibling人员（{outsider.id_masked}）不属于合肥甲公司工会，不能列入本单位的培训名单"
    own = world.people["own"]
    with pytest.raises(ServiceError) as e:
        services.plan_create(
            actor=None, org=world.unit_a1, title="培训", batches=1, staff=[StaffEntry(own, "甲"), StaffEntry(own, "乙")], source="upload"
        )
    assert e.value.message == f"名单中own人员（{own.id_masked}）出现了不止一次"
    assert TrainingPlan.objects.count() == 0


def test_its_refusals_are_in_english_when_the_user_chose_english(world: Any) -> None:
    people = _staff(world.unit_a1, {"办公室": 3})
    outsider = world.people["sibling"]
    with translation.override("en"):
        with pytest.raises(ServiceError) as no_title:
            services.plan_create(actor=None, org=world.unit_a1, title=" ", batches=2, staff=people, source="roll")
        with pytest.raises(ServiceError) as too_many:
            services.plan_create(actor=None, org=world.unit_a1, title="培训", batches=4, staff=people, source="roll")
        with pytest.raises(ServiceError) as outside:
            services.plan_create(actor=None, org=world.unit_a1, title="培训", batches=1, staff=[StaffEntry(outsider, "办公室")], source="upload")
    assert no_title.value.message == "Enter a training name"
    assert too_many.value.message == "The number of batches (4) cannot exceed the number of people on the list (3)"
    assert outside.value.message == f"sibling人员 ({outsider.id_masked}) does not belong to 合肥甲公司工会 and cannot be on its training list"


def _plan(world: Any) -> TrainingPlan:
    people = _staff(world.unit_a1, {"办公室": 4, "财务科": 2})
    return services.plan_create(actor=None, org=world.unit_a1, title="培训", batches=2, staff=people, source="upload")


def test_it_marks_attendance_idempotently(world: Any) -> None:
    plan = _plan(world)
    a = TrainingAssignment.objects.filter(plan=plan).order_by("id").first()
    cadre = world.users["cadre"]
    assert services.attendance_mark(actor=cadre, assignment=a, attended=True) is True
    assert services.attendance_mark(actor=cadre, assignment=a, attended=True) is False
    assert TrainingAttendance.objects.filter(assignment=a).count() == 1
    assert AuditEvent.objects.filter(action="training.attendance_mark").count() == 1
    assert services.attendance_mark(actor=cadre, assignment=a, attended=False) is True
    assert services.attendance_mark(actor=cadre, assignment=a, attended=False) is False
    assert TrainingAttendance.objects.count() == 0
    assert AuditEvent.objects.filter(action="training.attendance_unmark").count() == 1


def test_it_reports_coverage_per_batch_and_department_exactly(world: Any) -> None:
    plan = _plan(world)
    # Departments are dealt in code-point order (办公室 before 财务科), each in list order.
    rows = list(queries.roster(plan))
    assert [(r.department, r.batch.number) for r in rows] == [
        ("办公室", 1),
        ("办公室", 1),
        ("财务科", 1),
        ("办公室", 2),
        ("办公室", 2),
        ("财务科", 2),
    ]
    for r in (rows[0], rows[2], rows[3]):
        services.attendance_mark(actor=None, assignment=r, attended=True)
    cov = queries.coverage(plan)
    assert (cov.people, cov.attended, cov.not_attended, cov.percent) == (6, 3, 3, 50)
    assert [(b["number"], b["people"], b["attended"], b["not_attended"]) for b in cov.batches] == [(1, 3, 2, 1), (2, 3, 1, 2)]
    assert cov.departments == [
        {"name": "办公室", "people": 4, "attended": 2, "not_attended": 2, "per_batch": [2, 2], "cap": 2},
        {"name": "财务科", "people": 2, "attended": 1, "not_attended": 1, "per_batch": [1, 1], "cap": 1},
    ]
    missing = [r.person.name for r in queries.roster(plan, attended=False)]
    assert missing == [rows[1].person.name, rows[4].person.name, rows[5].person.name]
