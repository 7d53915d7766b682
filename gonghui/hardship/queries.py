"""Reads of hardship files, starting from the access policy: a file belongs to its union; reading
needs ``view`` on it, writing ``operate``; outside the view scope a file does not exist (404).

Dedupe conflicts are read from two sides: the raising union sees its conflicts with the holding
union's name and contact route only; the holding union sees them against its own file.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org, ancestor_paths

from .models import AnnualReview, ContactAssignment, DedupeConflict, FileEvent, HardshipFile, HouseholdMember, SubsistenceStandard, Visit


def files_of(user: Any, org: Org | None) -> QuerySet[HardshipFile]:
    """Files of ``org``'s subtree the user may see (the caller has checked ``view`` on ``org``);
    ``None``: every file in the user's view scope."""
    qs = HardshipFile.objects.filter(policy.scope_q(user, "view", field="org_path")).select_related("org", "holder")
    return qs if org is None else qs.filter(prefix_q("org_path", org.path))


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


AID_SUBJECT_KIND = "hardship.file"  # how money applications name a household file


def aid_applications(**filters: Any) -> QuerySet[Any]:
    """Money applications for household files (``subject_id`` is the file's id)."""
    from gonghui.money.models import Application

    return Application.objects.filter(subject_kind=AID_SUBJECT_KIND, **filters)


def aid_of(file: HardshipFile) -> QuerySet[Any]:
    """The money applications of one file, newest year first, for its page."""
    return aid_applications(subject_id=file.pk).select_related("programme", "campaign").order_by("-year", "-created_at", "-id")


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
        aid_applications(subject_id__in=[f.pk for f in files], status__in=Application.GIVEN)
        .order_by("-year", "programme__sort")
        .values_list("subject_id", "year", "programme__name", "amount")
    ):
        aid.setdefault(file_id, []).append((year, programme, amount))
    return [{"file": f, "contact": contacts.get(f.pk), "aid": aid.get(f.pk, [])} for f in files]


# ---- the pages ---------------------------------------------------------------------------------

S = HardshipFile.Status
# The national system's archive pools (在档 / 临时救助 / 审核中 / 脱困 / 注销); drafts and returned
# files count as 审核中 so a file is never out of every pool.
POOLS: dict[str, tuple[str, ...]] = {
    "on_file": (S.ACTIVE, S.SAFETY_NET),
    "temporary": (S.TEMP_ACTIVE,),
    "intake": (S.DRAFT, S.RETURNED, *HardshipFile.REVIEW_STEPS),
    "lifted": (S.LIFTED,),
    "cancelled": (S.CANCELLED,),
}


def file_list(
    user: Any, org: Org, *, pool: str = "", category: str = "", migrant: str = "", name: str = "", id_tail: str = ""
) -> QuerySet[HardshipFile]:
    """The file list of ``org``'s subtree: a name or ID tail finds the household of any member."""
    from gonghui.lib import idcard

    qs = files_of(user, org)
    if pool in POOLS:
        qs = qs.filter(status__in=POOLS[pool])
    if category:
        qs = qs.filter(category=category)
    if migrant in ("worker", "migrant"):
        qs = qs.filter(is_migrant_worker=migrant == "migrant")
    members = HouseholdMember.objects.filter(file=OuterRef("pk"))
    if name.strip():
        qs = qs.filter(Exists(members.filter(name__startswith=name.strip())))  # not indexed: members are read per file
    tail = idcard.normalize(id_tail)[-4:]
    if tail:
        qs = qs.filter(Exists(members.filter(id_tail=tail) if len(tail) == 4 else members.filter(id_tail__endswith=tail)))
    current = ContactAssignment.objects.filter(ended_at__isnull=True).select_related("cadre")
    return qs.prefetch_related(Prefetch("contacts", queryset=current, to_attr="current_contacts"))


def holder_choices(user: Any, org: Org, *, name: str = "", id_tail: str = "") -> QuerySet[Any]:
    """People of ``org``'s subtree the user may build a file for (operate on their union)."""
    from gonghui.lib import idcard
    from gonghui.people.models import Person

    qs = Person.objects.filter(prefix_q("org_path", org.path)).filter(policy.scope_q(user, "operate", field="org_path"))
    if name.strip():
        qs = qs.filter(prefix_q("name", name.strip()))
    tail = idcard.normalize(id_tail)[-4:]
    if tail:
        qs = qs.filter(id_tail=tail) if len(tail) == 4 else qs.filter(id_tail__endswith=tail)
    return qs.select_related("org").order_by("org_path", "id")


def get_member_for_user(user: Any, pk: Any, *, action: str = "view") -> HouseholdMember:
    try:
        member = HouseholdMember.objects.select_related("file__org").get(pk=int(pk))
    except (HouseholdMember.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, member.file.org)
    return member


def file_actions(user: Any, file: HardshipFile) -> list[str]:
    """The steps to offer the user on the file's page in its state (the services still decide)."""
    from .services import acts_as_center

    if not policy.user_can(user, "operate", file.org):
        return []
    center = acts_as_center(user, file)
    by_status: dict[str, list[str]] = {
        S.DRAFT: ["edit", "submit"],
        S.RETURNED: ["edit", "submit"],
        S.SUBMITTED: ["prelim", "return"],
        S.PRELIM_OK: ["visit", "return"],
        S.VISITED: ["review", "return"] if center else ["return"],
        S.REVIEWED: ["publicize", "return"] if center else [],
        S.PUBLICIZED: ["objection", "approve", "return"] if center else ["objection"],
        S.TEMP_ACTIVE: [*(["convert"] if center else []), "adjust", "cancel", "annual_review"],
        S.ACTIVE: ["adjust", "lift", "safety_net", "cancel", "annual_review"],
        S.SAFETY_NET: ["adjust", "lift", "cancel", "annual_review"],
        S.LIFTED: ["submit", "cancel"],
        S.CANCELLED: [],
    }
    out = list(by_status[file.status])
    if file.status in HardshipFile.ON_FILE:
        out.append("aid")  # 申请帮扶资金: its own page (hardship:file_aid)
    if file.status in (*HardshipFile.ON_FILE, S.LIFTED):
        out.append("visit_log")
    if file.status != S.CANCELLED:
        out.append("contact")
    return out


def contact_candidates(file: HardshipFile) -> QuerySet[Any]:
    """Active cadres with a real name whose live grant on an open union over the file allows operate."""
    from django.contrib.auth import get_user_model

    ancestors = ancestor_paths(file.org_path)
    roles = [r for r, actions in policy.ROLE_ACTIONS.items() if "operate" in actions]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(display_name="")
        .filter(grants__revoked_at__isnull=True, grants__role__in=roles, grants__org__path__in=ancestors, grants__org__status=Org.Status.OPEN)
        .distinct()
        .order_by("display_name", "id")
    )


def timeline(file: HardshipFile) -> QuerySet[FileEvent]:
    return FileEvent.objects.filter(file=file).select_related("actor").order_by("at", "id")


def contact_history(file: HardshipFile) -> QuerySet[ContactAssignment]:
    return ContactAssignment.objects.filter(file=file).select_related("cadre", "assigned_by").order_by("-started_at", "-id")


def visits_of(file: HardshipFile) -> QuerySet[Visit]:
    return Visit.objects.filter(file=file).select_related("visitor").order_by("-visited_on", "-id")


def reviews_of(file: HardshipFile) -> QuerySet[AnnualReview]:
    return AnnualReview.objects.filter(file=file).select_related("reviewed_by").order_by("-year", "-id")


def standards(*, region_code: str = "", year: int | None = None, area: str = "") -> QuerySet[SubsistenceStandard]:
    qs = SubsistenceStandard.objects.all()
    if region_code:
        qs = qs.filter(region_code__startswith=region_code)
    if year:
        qs = qs.filter(year=year)
    if area:
        qs = qs.filter(area=area)
    return qs.order_by("region_code", "-year", "area")


def standard_regions(user: Any) -> list[str]:
    """Region-code prefixes whose 低保 the user may set: a national-level operate grant covers every
    region, a province-level one its province (the first two digits). 低保 is set by 民政 per region;
    recording it is a federation's job, so prefecture and lower unions read it only."""
    out: set[str] = set()
    for g in policy.active_grants(user):
        if not (g.org_id and g.org.is_open and "operate" in policy.ROLE_ACTIONS[g.role]):
            continue
        if g.org.level == Org.Level.NATIONAL:
            out.add("")
        elif g.org.level == Org.Level.PROVINCE:
            out.add(g.org.region_code[:2])
    return sorted(out)
