"""Reads of hardship files, starting from the access policy: a file belongs to its union; reading
needs ``view`` on it, writing ``operate``; outside the view scope a file does not exist (404).

Dedupe conflicts are read from two sides: the raising union sees its conflicts with the holding
union's name and contact route only; the holding union sees them against its own file.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from .models import ContactAssignment, DedupeConflict, HardshipFile


def files_of(user: Any, org: Org) -> QuerySet[HardshipFile]:
    """Files of ``org``'s subtree the user may see (the caller has checked ``view`` on ``org``)."""
    return (
        HardshipFile.objects.filter(prefix_q("org_path", org.path))
        .filter(policy.scope_q(user, "view", field="org_path"))
        .select_related("org", "holder")
    )


def get_file_for_user(user: Any, pk: Any, *, action: str = "view") -> HardshipFile:
    try:
        file = HardshipFile.objects.select_related("org", "holder").get(pk=int(pk))
    except (HardshipFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, file.org)
    return file


def current_contact(file: HardshipFile) -> ContactAssignment | None:
    return ContactAssignment.objects.filter(file=file, ended_at__isnull=True).select_related("cadre").first()


def conflicts_for(user: Any) -> QuerySet[DedupeConflict]:
    """Conflicts the user's unions raised or hold (either side's subtree in the view scope)."""
    scope = policy.scope_q(user, "view", field="raised_org__path") | policy.scope_q(user, "view", field="holding_org__path")
    return DedupeConflict.objects.filter(scope).select_related("file", "member", "other_file", "raised_org", "holding_org")


def get_conflict_for_user(user: Any, pk: Any, *, action: str = "view") -> DedupeConflict:
    try:
        c = DedupeConflict.objects.select_related("file__org", "other_file__org", "member", "raised_org", "holding_org").get(pk=int(pk))
    except (DedupeConflict.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    sides = [c.raised_org, c.holding_org]
    if not any(policy.user_can(user, "view", o) for o in sides):
        raise Http404
    if not any(policy.user_can(user, action, o) for o in sides):
        raise PermissionDenied
    return c


def conflict_view(user: Any, c: DedupeConflict) -> dict[str, Any]:
    """What one side may read of a conflict. The raising side gets only the holding union's name
    and route; the holding side gets its own file's number and the raising union's name and route."""
    from .dedupe import contact_route

    holds = policy.user_can(user, "view", c.holding_org)
    raised = policy.user_can(user, "view", c.raised_org)
    out: dict[str, Any] = {"id": c.pk, "status": c.status, "raised_at": c.raised_at, "resolution": c.resolution}
    if raised:
        out.update(
            file_id=c.file_id,
            member_name=c.member.name if c.member else "",
            member_id_tail=c.member.id_tail if c.member else "",
            holding_org_name=c.holding_org.name,
            holding_org_contact=contact_route(c.holding_org),
        )
    if holds:
        out.update(
            held_file_id=c.other_file_id,
            raised_org_name=c.raised_org.name,
            raised_org_contact=contact_route(c.raised_org),
        )
    return out


def open_conflict_q() -> Q:
    return Q(status=DedupeConflict.Status.OPEN)
