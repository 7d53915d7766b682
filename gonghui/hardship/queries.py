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


def own_files(person: Any) -> list[dict[str, Any]]:
    """A worker's own household files (as holder), with the contact and the aid received, for
    the worker's "我的" page: the worker may see their own file (档案管理办法)."""
    from gonghui.money.models import Application

    files = list(HardshipFile.objects.filter(holder=person).exclude(status=HardshipFile.Status.DRAFT).select_related("org").order_by("-changed_at"))
    if not files:
        return []
    contacts = {c.file_id: c for c in ContactAssignment.objects.filter(file__in=files, ended_at__isnull=True).select_related("cadre")}
    aid: dict[int, list[tuple[int, str, int]]] = {}
    for file_id, year, programme, amount in (
        Application.objects.filter(subject_kind="hardship.file", subject_id__in=[f.pk for f in files], status__in=("approved", "paid"))
        .order_by("-year", "programme__sort")
        .values_list("subject_id", "year", "programme__name", "amount")
    ):
        aid.setdefault(file_id, []).append((year, programme, amount))
    return [{"file": f, "contact": contacts.get(f.pk), "aid": aid.get(f.pk, [])} for f in files]
