"""Target builders for the training rows (tests/authz/matrix_training.txt)."""

from __future__ import annotations

from typing import Any

from gonghui.training import services
from gonghui.training.models import TrainingAssignment, TrainingPlan
from gonghui.training.services import StaffEntry

STATIC_KWARGS: dict[str, dict[str, Any]] = {}


def _plan(targets: Any) -> TrainingPlan:
    """A one-batch plan of the relation's union listing the relation's person."""
    return services.plan_create(
        actor=None, org=targets.org, title="安全生产培训", batches=1, staff=[StaffEntry(targets.person, "办公室")], source="upload"
    )


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    org_kw = {"org_id": targets.org.pk}
    match name:
        case "training:index":
            _plan(targets)
            return org_kw, {}
        case "training:create":
            return org_kw, {"title": "岗位培训", "batches": 1, "source": "roll"}
        case "training:detail" | "training:coverage" | "training:export":
            return {"pk": _plan(targets).pk}, {}
        case "training:batch_edit":
            return {"pk": _plan(targets).batches.get().pk}, {"starts_on": "2026-03-02", "place": "职工学堂"}
        case "training:batch_sync":
            return {"pk": _plan(targets).batches.get().pk}, {}
        case "training:attendance":
            return {"pk": TrainingAssignment.objects.get(plan=_plan(targets)).pk}, {"attended": "1"}
    return None
