"""``record`` is the one way to write the audit trail; services call it inside their transaction."""

from __future__ import annotations

import contextvars
from typing import Any

from django.db import models
from django.utils import timezone

from gonghui.lib import fastsql

from .models import AuditEvent

# The request's client address, set by middleware; services need not thread it through.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gonghui_audit_ip", default=None)


def record(**fields: Any) -> AuditEvent:
    """Write one audit row: the arguments of ``build``."""
    event = build(**fields)
    fastsql.insert(event)  # every service writes one: skip the ORM's query compiler
    return event


def build(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    org: Any = None,
    data: dict[str, Any] | None = None,
    success: bool = True,
) -> AuditEvent:
    """The unsaved event ``record`` writes, for a caller that prepares its statements before its
    transaction (the check-in: ``fastsql.Insert``, target id set once the row exists)."""
    if org is None and target is not None:
        org = getattr(target, "audit_org", None)
    return AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        org_id=getattr(org, "pk", None),
        org_path=getattr(org, "path", "") or "",
        ip=current_ip.get(),
        success=success,
        data=data or {},
    )


def record_many(events: list[AuditEvent]) -> None:
    """Bulk variant for imports: the caller builds unsaved events with ``at`` set."""
    AuditEvent.objects.bulk_create(events, batch_size=500)


def changed_fields(instance: models.Model, before: dict[str, Any], *, personal: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Changed fields as {name: [old, new]}; personal fields are listed by name only."""
    out: dict[str, Any] = {}
    for name, old in before.items():
        new = getattr(instance, name)
        if old != new:
            out[name] = "changed" if name in personal else [_plain(old), _plain(new)]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
