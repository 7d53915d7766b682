"""Reads of activities, always starting from who may see them.

- The organizer's side: users whose view scope contains the organizer see the activity in every
  state, drafts included; ``operate`` on the organizer manages it.
- The audience's side, once published (Activity.VISIBLE_TO_AUDIENCE): users whose view scope lies
  inside an audience org's subtree or contains it (``policy.audience_q``), the coordinator of the
  activity's alliance, and workers whose active membership lies in an audience org's subtree.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import ancestor_paths
from gonghui.people.models import Membership, Person

from .models import Activity, ActivityAudience, ActivityEvent, Registration, Session


def worker_org_path(user: Any) -> str | None:
    """The org path of the user's own active membership (a worker's union), if any."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return None
    return Membership.objects.filter(person_id=person_id, status=Membership.Status.ACTIVE).values_list("org_path", flat=True).first()


def audience_visible_q(user: Any) -> Q:
    """Published activities addressed to the user (see the module docstring)."""
    audience = Q(pk__in=ActivityAudience.objects.filter(policy.audience_q(user, field="org_path")).values("activity"))
    alliances = policy.alliance_ids(user)
    if alliances:
        audience |= Q(alliance_id__in=alliances)
    own = worker_org_path(user)
    if own:
        audience |= Q(pk__in=ActivityAudience.objects.filter(org_path__in=ancestor_paths(own)).values("activity"))
    return Q(status__in=Activity.VISIBLE_TO_AUDIENCE) & audience


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    if not getattr(user, "is_authenticated", False):
        return Activity.objects.none()
    q = policy.scope_q(user, "view", field="organizer__path") | audience_visible_q(user)
    return Activity.objects.filter(q).select_related("activity_type", "organizer", "alliance")


def can_manage(user: Any, activity: Activity) -> bool:
    return policy.user_can(user, "operate", activity.organizer)


def get_activity_for_user(user: Any, pk: Any, *, action: str = "view") -> Activity:
    """404 outside visibility; 403 when visible but ``action`` ("operate") is not allowed on the organizer."""
    a = activities_visible_to(user).filter(pk=pk if str(pk).isdigit() else -1).first()
    if a is None:
        raise Http404
    if action != "view" and not policy.user_can(user, action, a.organizer):
        raise PermissionDenied
    return a


def get_session_for_user(user: Any, pk: Any, *, action: str = "view") -> Session:
    s = Session.objects.filter(pk=pk if str(pk).isdigit() else -1).only("activity_id").first()
    activity = get_activity_for_user(user, s.activity_id if s else -1, action=action)
    session = Session.objects.get(pk=s.pk)  # type: ignore[union-attr]
    session.activity = activity
    return session


def get_registration_for_user(user: Any, pk: Any) -> Registration:
    """A registration its person may cancel, as may cadres operating on the person's union or the organizer."""
    r = Registration.objects.filter(pk=pk if str(pk).isdigit() else -1).select_related("person", "session").first()
    if r is None:
        raise Http404
    activity = get_activity_for_user(user, r.session.activity_id)
    if r.person_id == getattr(user, "person_id", None) or can_manage(user, activity) or policy.user_can(user, "operate", r.person.org):
        r.session.activity = activity
        return r
    # The organizer's side sees the registration lists; others may not learn of the registration.
    if policy.user_can(user, "view", r.person.org) or policy.user_can(user, "view", activity.organizer):
        raise PermissionDenied
    raise Http404


def filtered(user: Any, *, status: str = "", type_id: Any = None, org: Any = None) -> QuerySet[Activity]:
    qs = activities_visible_to(user)
    if status in Activity.Status.values:
        qs = qs.filter(status=status)
    if type_id:
        qs = qs.filter(activity_type_id=type_id)
    if org is not None:
        qs = qs.filter(prefix_q("organizer__path", org.path))
    return qs.order_by("-created_at", "-id")


def sessions_with_counts(activity: Activity) -> list[Session]:
    """Sessions with their registered / waitlisted counts and the waiting list (names only)."""
    return list(
        activity.sessions.annotate(
            n_registered=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)),
            n_waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        )
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.exclude(status=Registration.Status.CANCELLED)
                .select_related("person")
                .order_by("status", "waitlisted_at", "id"),
                to_attr="live_registrations",
            )
        )
        .order_by("starts_at", "id")
    )


def events(activity: Activity) -> QuerySet[ActivityEvent]:
    return activity.events.select_related("actor").order_by("at", "id")


def registrations_of(person: Person) -> QuerySet[Registration]:
    return person.registrations.select_related("session__activity__organizer").order_by("-created_at", "-id")


def open_for(user: Any) -> QuerySet[Activity]:
    """Activities addressed to the user that take registrations now (a worker's 我的活动)."""
    from .services import REGISTRATION_OPEN

    return (
        activities_visible_to(user)
        .filter(status__in=REGISTRATION_OPEN)
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.filter(is_cancelled=False).order_by("starts_at", "id")))
    )


def pickable_people(user: Any, *, name: str = "") -> QuerySet[Person]:
    """People with an active membership in the user's operate scope (for bulk registration)."""
    qs = Person.objects.filter(
        pk__in=Membership.objects.filter(policy.scope_q(user, "operate", field="org_path"), status=Membership.Status.ACTIVE).values("person")
    )
    if name.strip():
        qs = qs.filter(prefix_q("name", name.strip()))
    return qs.select_related("org").order_by("org_path", "id")
