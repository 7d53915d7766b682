from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gonghui.orgs import policy

from .models import AuditEvent


def events_visible_to(user: Any, *, action: str = "", actor: str = "", target_type: str = "", target_id: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(policy.scope_q(user, "audit", field="org_path"))
    if action:
        qs = qs.filter(action__startswith=action)
    if actor.isdigit():
        qs = qs.filter(actor_id=int(actor))
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id.isdigit():
        qs = qs.filter(target_id=int(target_id))
    return qs.select_related("actor").order_by("-at", "-id")
