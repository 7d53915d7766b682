"""Reads of training plans, starting from the access policy: a plan belongs to its union; reading
needs ``view`` on it, writing ``operate``; outside the view scope a plan does not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from .models import TrainingAssignment, TrainingAttendance, TrainingBatch, TrainingPlan


def plans_of(user: Any, org: Org) -> QuerySet[TrainingPlan]:
    """Plans of ``org``'s subtree the user may see, newest first, with head-counts."""
    return (
        TrainingPlan.objects.filter(prefix_q("org_path", org.path))
        .filter(policy.scope_q(user, "view", field="org_path"))
        .select_related("org")
        .annotate(people=Count("assignments", distinct=True), attended=Count("assignments__attendance", distinct=True))
    )


def get_plan_for_user(user: Any, pk: Any, *, action: str = "view") -> TrainingPlan:
    try:
        plan = TrainingPlan.objects.select_related("org", "activity").get(pk=int(pk))
    except (TrainingPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, plan.org)
    return plan


def get_batch_for_user(user: Any, pk: Any, *, action: str = "view") -> TrainingBatch:
    try:
        batch = TrainingBatch.objects.select_related("plan__org", "plan__activity", "session").get(pk=int(pk))
    except (TrainingBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, batch.plan.org)
    return batch


def get_assignment_for_user(user: Any, pk: Any, *, action: str = "view") -> TrainingAssignment:
    try:
        a = TrainingAssignment.objects.select_related("plan__org", "batch", "person").get(pk=int(pk))
    except (TrainingAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, a.plan.org)
    return a


def roster(plan: TrainingPlan, *, batch: int | None = None, attended: bool | None = None) -> QuerySet[TrainingAssignment]:
    """Assignments with an ``is_attended`` flag, in batch, department, list order."""
    qs = (
        TrainingAssignment.objects.filter(plan=plan)
        .select_related("person", "batch")
        .annotate(is_attended=Exists(TrainingAttendance.objects.filter(assignment=OuterRef("pk"))))
        .order_by("batch__number", "department", "id")
    )
    if batch is not None:
        qs = qs.filter(batch__number=batch)
    if attended is not None:
        qs = qs.filter(is_attended=attended)
    return qs


@dataclass
class Coverage:
    people: int = 0
    attended: int = 0
    batches: list[dict[str, Any]] = field(default_factory=list)  # number, starts_on, place, people, attended
    departments: list[dict[str, Any]] = field(default_factory=list)  # name, people, attended, per_batch [n1, n2, …], cap

    @property
    def not_attended(self) -> int:
        return self.people - self.attended

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.people) if self.people else 0


def coverage(plan: TrainingPlan) -> Coverage:
    """Head-counts per batch and per department, in two grouped queries."""
    from .batching import cap

    attended = Count("pk", filter=Q(attendance__isnull=False))
    by_batch = {
        r["batch__number"]: r for r in TrainingAssignment.objects.filter(plan=plan).values("batch__number").annotate(n=Count("pk"), a=attended)
    }
    out = Coverage()
    for b in plan.batches.order_by("number"):
        r = by_batch.get(b.number, {"n": 0, "a": 0})
        out.batches.append(
            {"number": b.number, "starts_on": b.starts_on, "place": b.place, "people": r["n"], "attended": r["a"], "not_attended": r["n"] - r["a"]}
        )
    depts: dict[str, dict[str, Any]] = {}
    rows = TrainingAssignment.objects.filter(plan=plan).values("department", "batch__number").annotate(n=Count("pk"), a=attended)
    for r in rows.order_by("department", "batch__number"):
        d = depts.setdefault(r["department"], {"name": r["department"], "people": 0, "attended": 0, "per_batch": [0] * plan.batch_count})
        d["people"] += r["n"]
        d["attended"] += r["a"]
        d["per_batch"][r["batch__number"] - 1] = r["n"]
    for d in depts.values():
        d["cap"] = cap(d["people"], plan.batch_count)
        d["not_attended"] = d["people"] - d["attended"]
    out.departments = list(depts.values())
    out.people = sum(b["people"] for b in out.batches)
    out.attended = sum(b["attended"] for b in out.batches)
    return out


def coverage_rows(plan: TrainingPlan) -> Any:
    """Export rows: one per listed person, ID masked."""
    for a in roster(plan).iterator(chunk_size=2000):
        yield [a.person.name, a.person.id_masked, a.department, a.batch.number, "已参训" if a.is_attended else "未参训"]


EXPORT_HEADERS = ["姓名", "身份证号", "部门", "批次", "参训情况"]
