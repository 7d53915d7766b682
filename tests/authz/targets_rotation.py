"""Targets for the rotation duty (轮值) pages of alliances (matrix_rotation.txt)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType
from gonghui.alliances import services
from gonghui.alliances.models import RotationTurn


def _turns(targets: Any) -> list[RotationTurn]:
    """Two monthly turns (January and February 2021) on the relation's alliance."""
    plan = services.rotation_generate(actor=None, alliance=targets.alliance(), start=dt.date(2021, 1, 1), periods=2, period_kind="month")
    return list(plan.turns.select_related("host__org").order_by("starts_on"))


def _member(targets: Any) -> Any:
    return targets.alliance().members.filter(left_on__isnull=True).order_by("joined_on", "id").first()


def build(targets: Any, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    match name:
        case "alliances:rotation":
            return {"pk": targets.alliance().pk}, {}
        case "alliances:rotation_generate":
            return {"pk": targets.alliance().pk}, {"start": "2021-01-01", "period_kind": "month", "periods": "2"}
        case "alliances:turn_swap":
            first, second = _turns(targets)
            return {"pk": first.pk}, {"other": second.pk, "reason": "甲公司年检"}
        case "alliances:turn_skip":
            return {"pk": _turns(targets)[0].pk}, {"reason": "停产检修", "replace": "on"}
        case "alliances:turn_done":
            return {"pk": _turns(targets)[0].pk}, {}
        case "alliances:turn_link":
            turn = _turns(targets)[0]
            now = timezone.now()
            org = turn.host.org
            activity = Activity.objects.create(
                title="技能比武",
                activity_type=ActivityType.objects.get(code="skills"),
                organizer=org,
                organizer_path=org.path,
                created_at=now,
                updated_at=now,
            )
            return {"pk": turn.pk}, {"activity": activity.pk}
        case "alliances:member_rotation":
            return {"pk": _member(targets).pk}, {"activity_types": [ActivityType.objects.get(code="skills").pk]}
        case "alliances:blackout_add":
            return {"pk": _member(targets).pk}, {"starts_on": "2026-01-01", "ends_on": "2026-01-05", "reason": "年检"}
        case "alliances:blackout_delete":
            b = services.member_blackout_add(
                actor=None, member=_member(targets), starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 5), reason="年检"
            )
            return {"pk": b.pk}, {}
    return None
