"""Writes of the training module: plans, batch details, attendance. Callers authorize first
(views through ``queries.get_*_for_user`` / ``policy``); every write leaves an audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.people.models import Person

from . import batching
from .models import TrainingAssignment, TrainingAttendance, TrainingBatch, TrainingPlan

MAX_STAFF = 5000
DEPARTMENT_MAX = 100


@dataclass(frozen=True)
class StaffEntry:
    person: Person
    department: str


def _check_staff(org: Org, staff: Sequence[StaffEntry]) -> None:
    if not staff:
        raise ServiceError(_("名单中没有人员"), field="source")
    if len(staff) > MAX_STAFF:
        raise ServiceError(_("名单人数（%(n)d）超过上限 %(max)d 人，请分单位建立培训计划") % {"n": len(staff), "max": MAX_STAFF}, field="source")
    seen: set[int] = set()
    for e in staff:
        if e.person.pk in seen:
            raise ServiceError(_("名单中%(name)s（%(id)s）出现了不止一次") % {"name": e.person.name, "id": e.person.id_masked}, field="source")
        seen.add(e.person.pk)
        if not e.person.org_path.startswith(org.path):
            raise ServiceError(
                _("%(name)s（%(id)s）不属于%(org)s，不能列入本单位的培训名单") % {"name": e.person.name, "id": e.person.id_masked, "org": org.name},
                field="source",
            )
        if not e.department.strip() or len(e.department) > DEPARTMENT_MAX:
            raise ServiceError(_("%(name)s的部门应填写，且不超过%(max)d个字") % {"name": e.person.name, "max": DEPARTMENT_MAX}, field="source")


@transaction.atomic
def plan_create(*, actor: Any, org: Org, title: str, batches: int, staff: Sequence[StaffEntry], source: str, activity: Any = None) -> TrainingPlan:
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("请填写培训名称"), field="title")
    if not org.is_open:
        raise ServiceError(_("该工会已撤销，不能新建培训计划"), field="title")
    if not 1 <= batches <= TrainingPlan.MAX_BATCHES:
        raise ServiceError(_("分批数应在1到%(max)d之间") % {"max": TrainingPlan.MAX_BATCHES}, field="batches")
    if source not in TrainingPlan.Source.values:
        raise ServiceError(_("名单来源无效"), field="source")
    _check_staff(org, staff)
    if batches > len(staff):
        raise ServiceError(_("分批数（%(batches)d）不能多于名单人数（%(n)d）") % {"batches": batches, "n": len(staff)}, field="batches")
    if activity is not None and not activity.organizer.path.startswith(org.path):
        raise ServiceError(_("关联活动应由本单位或下级工会主办"), field="activity")
    plan = TrainingPlan.objects.create(
        org=org, org_path=org.path, title=title, batch_count=batches, source=source, activity=activity, created_by=actor, created_at=timezone.now()
    )
    rows = TrainingBatch.objects.bulk_create([TrainingBatch(plan=plan, number=i) for i in range(1, batches + 1)])
    by_number = {b.number: b for b in rows}
    if any(b.pk is None for b in rows):  # backends without RETURNING ids on bulk insert
        by_number = {b.number: b for b in plan.batches.all()}
    placed = batching.split(((e.person.pk, e.department.strip()) for e in staff), batches)
    TrainingAssignment.objects.bulk_create(
        [TrainingAssignment(plan=plan, batch=by_number[placed[e.person.pk]], person=e.person, department=e.department.strip()) for e in staff],
        batch_size=500,
    )
    audit.record(
        actor=actor,
        action="training.plan_create",
        target=plan,
        data={"batches": batches, "people": len(staff), "departments": len({e.department.strip() for e in staff}), "source": source},
    )
    return plan


@transaction.atomic
def batch_update(*, actor: Any, batch: TrainingBatch, starts_on: dt.date | None, place: str, session: Any = None) -> TrainingBatch:
    plan = batch.plan
    if session is not None and (plan.activity_id is None or session.activity_id != plan.activity_id):
        raise ServiceError(_("只能选择本培训关联活动的场次"), field="session")
    if session is not None and TrainingBatch.objects.filter(session=session).exclude(pk=batch.pk).exists():
        raise ServiceError(_("该场次已对应另一个批次"), field="session")
    before = {"starts_on": batch.starts_on, "place": batch.place, "session_id": batch.session_id}
    batch.starts_on, batch.place, batch.session = starts_on, (place or "").strip(), session
    batch.save(update_fields=["starts_on", "place", "session"])
    audit.record(actor=actor, action="training.batch_update", target=batch, data=audit.changed_fields(batch, before))
    return batch


@transaction.atomic
def attendance_mark(*, actor: Any, assignment: TrainingAssignment, attended: bool = True) -> bool:
    """Sets whether the person attended their batch. Idempotent: repeating a mark changes
    nothing and writes no audit row. Returns whether anything changed."""
    if attended:
        _created, changed = TrainingAttendance.objects.get_or_create(
            assignment=assignment, defaults={"method": TrainingAttendance.Method.MANUAL, "marked_by": actor, "marked_at": timezone.now()}
        )
    else:
        changed = TrainingAttendance.objects.filter(assignment=assignment).delete()[0] > 0
    if changed:
        audit.record(
            actor=actor,
            action="training.attendance_mark" if attended else "training.attendance_unmark",
            target=assignment,
            data={"person_id": assignment.person_id, "batch": assignment.batch.number},
        )
    return changed


@transaction.atomic
def attendance_from_checkins(*, actor: Any, batch: TrainingBatch) -> int:
    """Copies the check-ins of the batch's linked session into attendance (people assigned to
    this batch only; check-ins of others are not training attendance). Idempotent; returns how
    many people were newly marked."""
    if batch.session_id is None:
        raise ServiceError(_("该批次没有对应的活动场次"), field="session")
    from gonghui.activities.models import CheckIn

    checked = CheckIn.objects.filter(session_id=batch.session_id).values("person_id")
    todo = list(batch.assignments.filter(person_id__in=checked, attendance__isnull=True))
    now = timezone.now()
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(assignment=a, method=TrainingAttendance.Method.CHECKIN, marked_by=actor, marked_at=now) for a in todo],
        batch_size=500,
        ignore_conflicts=True,  # a hand mark made meanwhile already says the same
    )
    audit.record(actor=actor, action="training.attendance_from_checkins", target=batch, data={"marked": len(todo), "session_id": batch.session_id})
    return len(todo)
