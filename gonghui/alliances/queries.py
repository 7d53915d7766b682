from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from gonghui.orgs import policy
from gonghui.orgs.queries import subtree_member_total

from .models import Alliance, AllianceMember, CouncilSeat


def alliances_visible_to(user: Any) -> QuerySet[Alliance]:
    """Coordinated alliances, alliances hosted in scope, and alliances with a member in scope."""
    q = Q(pk__in=policy.alliance_ids(user)) | policy.scope_q(user, "view", field="host_org__path")
    q |= Q(pk__in=AllianceMember.objects.filter(policy.scope_q(user, "view", field="org__path"), left_on__isnull=True).values("alliance"))
    return Alliance.objects.filter(q).select_related("host_org").distinct()


def can_manage(user: Any, alliance: Alliance) -> bool:
    return alliance.pk in policy.alliance_ids(user) or policy.user_can(user, "manage", alliance.host_org)


def get_alliance_for_user(user: Any, pk: Any, *, manage: bool = False) -> Alliance:
    a = alliances_visible_to(user).filter(pk=pk if str(pk).isdigit() else -1).first()
    if a is None:
        raise Http404
    if manage and not can_manage(user, a):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return a


def current_members(alliance: Alliance) -> list[dict[str, Any]]:
    """Member unions with their member counts (subtree totals): aggregates only, no people."""
    members = list(alliance.members.filter(left_on__isnull=True).select_related("org").order_by("joined_on", "id"))
    return [{"member": m, "org": m.org, "members": subtree_member_total(m.org)} for m in members]


def figures(alliance: Alliance, rows: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Member unions and their members; pass ``rows`` from ``current_members`` to reuse them."""
    rows = current_members(alliance) if rows is None else rows
    return {"unions": len(rows), "members": sum(r["members"] for r in rows)}


def seats(alliance: Alliance) -> QuerySet[Any]:
    """Council seats by rank (主席, 副主席, 秘书长 …), as the roles are declared."""
    rank = Case(*[When(role=r, then=Value(i)) for i, r in enumerate(CouncilSeat.Role.values)], output_field=IntegerField())
    return alliance.seats.select_related("person", "member_org").order_by(rank, "term_start", "id")
