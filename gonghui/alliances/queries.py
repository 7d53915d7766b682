from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.http import Http404

from gonghui.orgs import policy
from gonghui.orgs.queries import subtree_member_total

from . import rotation
from .models import Alliance, AllianceMember, CouncilSeat, MemberBlackout, MemberStrength, RotationTurn


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


# Rotation duty (轮值)


def can_manage_rotation(user: Any, alliance: Alliance) -> bool:
    """The alliance's coordinator, or whoever may operate at its host union, runs the rotation."""
    return alliance.pk in policy.alliance_ids(user) or policy.user_can(user, "operate", alliance.host_org)


def get_rotation_alliance_for_user(user: Any, pk: Any, *, manage: bool = False) -> Alliance:
    """Visible as the alliance page is (else 404); ``manage`` without the right: 403."""
    from django.core.exceptions import PermissionDenied

    alliance = get_alliance_for_user(user, pk)
    if manage and not can_manage_rotation(user, alliance):
        raise PermissionDenied
    return alliance


def get_turn_for_user(user: Any, pk: Any) -> RotationTurn:
    turn = RotationTurn.objects.select_related("plan", "host__org", "wanted_type").filter(pk=pk).first()
    get_rotation_alliance_for_user(user, turn.alliance_id if turn else -1, manage=True)
    return turn  # type: ignore[return-value]


def get_member_for_user(user: Any, pk: Any) -> AllianceMember:
    member = AllianceMember.objects.select_related("org", "alliance").filter(pk=pk).first()
    get_rotation_alliance_for_user(user, member.alliance_id if member else -1, manage=True)
    return member  # type: ignore[return-value]


def get_blackout_for_user(user: Any, pk: Any) -> MemberBlackout:
    blackout = MemberBlackout.objects.select_related("member__alliance__host_org").filter(pk=pk).first()
    get_rotation_alliance_for_user(user, blackout.member.alliance_id if blackout else -1, manage=True)
    return blackout  # type: ignore[return-value]


def hosted_counts(alliance: Alliance) -> dict[int, tuple[int, dt.date | None]]:
    """The fairness ledger: per member, turns hosted (skipped ones excluded) and the last one's start."""
    rows = (
        RotationTurn.objects.filter(alliance=alliance, status__in=RotationTurn.HOSTED)
        .values("host")
        .annotate(n=Count("id"), last=Max("starts_on"))
        .order_by()
    )
    return {r["host"]: (r["n"], r["last"]) for r in rows}


def rotation_units(alliance: Alliance, *, exclude: set[int] | frozenset[int] = frozenset()) -> list[rotation.Unit]:
    """Current members as the rule's plain data. Days before a member joined count as blackout."""
    members = [m for m in alliance.members.filter(left_on__isnull=True).order_by("joined_on", "id") if m.pk not in exclude]
    ids = [m.pk for m in members]
    strengths: dict[int, set[str]] = {}
    for member_id, code in MemberStrength.objects.filter(member_id__in=ids).values_list("member_id", "activity_type__code"):
        strengths.setdefault(member_id, set()).add(code)
    blackouts: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for member_id, start, end in MemberBlackout.objects.filter(member_id__in=ids).values_list("member_id", "starts_on", "ends_on"):
        blackouts.setdefault(member_id, []).append((start, end))
    ledger = hosted_counts(alliance)
    units = []
    for order, m in enumerate(members):
        before_joining = [(dt.date.min, m.joined_on - dt.timedelta(days=1))] if m.joined_on > dt.date.min else []
        n, last = ledger.get(m.pk, (0, None))
        units.append(
            rotation.Unit(
                key=m.pk,
                order=order,
                hosted=n,
                last_hosted=last,
                strengths=frozenset(strengths.get(m.pk, ())),
                blackouts=tuple(before_joining + blackouts.get(m.pk, [])),
            )
        )
    return units


def rotation_turns(alliance: Alliance) -> QuerySet[RotationTurn]:
    return (
        RotationTurn.objects.filter(alliance=alliance)
        .select_related("plan", "host__org", "wanted_type", "replaces")
        .prefetch_related("activities")
        .order_by("starts_on", "id")
    )


def rotation_ledger(alliance: Alliance) -> list[dict[str, Any]]:
    """Per current member: turns hosted, turns skipped, the last hosted period, declared strengths."""
    ledger = hosted_counts(alliance)
    skipped = dict(
        RotationTurn.objects.filter(alliance=alliance, status=RotationTurn.Status.SKIPPED)
        .values("host")
        .annotate(n=Count("id"))
        .values_list("host", "n")
    )
    members = alliance.members.filter(left_on__isnull=True).select_related("org").prefetch_related("declared_strengths__activity_type", "blackouts")
    return [
        {
            "member": m,
            "hosted": ledger.get(m.pk, (0, None))[0],
            "last": ledger.get(m.pk, (0, None))[1],
            "skipped": skipped.get(m.pk, 0),
            "strengths": [s.activity_type for s in m.declared_strengths.all()],
            "blackouts": list(m.blackouts.all()),
        }
        for m in members.order_by("joined_on", "id")
    ]


def turns_in_blackout(turns: list[RotationTurn]) -> set[int]:
    """Open turns whose host declared a blackout over the period after the plan was made."""
    open_turns = [t for t in turns if t.status in (RotationTurn.Status.PLANNED, RotationTurn.Status.SWAPPED)]
    if not open_turns:
        return set()
    ranges: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for b in MemberBlackout.objects.filter(member_id__in={t.host_id for t in open_turns}):
        ranges.setdefault(b.member_id, []).append((b.starts_on, b.ends_on))
    return {t.pk for t in open_turns if any(s <= t.ends_on and e >= t.starts_on for s, e in ranges.get(t.host_id, []))}


def linkable_activities(turn: RotationTurn) -> QuerySet[Any]:
    """Activities the turn may hold: the alliance's own or its host union's, not cancelled, not
    yet in a turn."""
    from gonghui.activities.models import Activity

    from .models import RotationTurnActivity

    return (
        Activity.objects.filter(Q(alliance_id=turn.alliance_id) | Q(organizer_id=turn.host.org_id))
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(pk__in=RotationTurnActivity.objects.values("activity"))
        .select_related("activity_type")
        .order_by("-created_at", "-id")
    )
