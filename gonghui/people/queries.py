"""Reads of people and memberships, always starting from the caller's visible scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from gonghui.lib import idcard
from gonghui.lib.textrange import prefix_q
from gonghui.orgs import policy
from gonghui.orgs.models import Org

from .models import Membership, Person, TransferRequest


def people_visible_to(user: Any, action: str = "view") -> QuerySet[Person]:
    q = policy.scope_q(user, action, field="org_path")
    if user.is_authenticated and getattr(user, "person_id", None) and action == "view":
        q |= Q(pk=user.person_id)  # a worker sees their own record
    return Person.objects.filter(q)


def get_person_for_user(user: Any, pk: Any, *, action: str = "view") -> Person:
    try:
        person = Person.objects.select_related("org").get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if person.pk == getattr(user, "person_id", None) and not policy.user_can(user, "view", person.org):
        if action == "view":
            return person
        raise PermissionDenied  # a worker sees their own record but does not administer it
    policy.require(user, action, person.org)
    return person


def get_membership_for_user(user: Any, pk: Any, *, action: str = "view") -> Membership:
    try:
        m = Membership.objects.select_related("person", "org").get(pk=int(pk))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if m.person_id == getattr(user, "person_id", None) and not policy.user_can(user, "view", m.org):
        raise PermissionDenied  # their own membership: visible to them, not theirs to change
    policy.require(user, action, m.org)
    return m


def roll(
    user: Any,
    *,
    org: Org,
    name: str = "",
    id_tail: str = "",
    phone: str = "",
    status: str = "",
) -> QuerySet[Membership]:
    """The member roll of ``org``'s subtree (intersected with the user's scope), roll order.

    Ordered by (org_path, id) so one index serves both the subtree range and the order.
    """
    qs = Membership.objects.filter(prefix_q("org_path", org.path)).filter(policy.scope_q(user, "view", field="org_path"))
    if status == "all":
        pass
    elif status in Membership.Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=Membership.OPEN)
    if name.strip():
        qs = qs.filter(prefix_q("person__name", name.strip()))
    tail = idcard.normalize(id_tail)
    if tail:
        qs = qs.filter(person__id_tail=tail[-4:]) if len(tail) >= 4 else qs.filter(person__id_tail__endswith=tail)
    if phone.strip():
        from .services import phone_bidx

        try:
            qs = qs.filter(person__phone_bidx=phone_bidx(idcard.normalize_mobile(phone)))
        except idcard.InvalidMobile:
            qs = qs.none()
    return qs.select_related("person", "org").order_by("org_path", "id")


def memberships_of(person: Person) -> QuerySet[Membership]:
    return Membership.objects.filter(person=person).select_related("org").prefetch_related("events").order_by("-created_at", "-id")


def transfers_for(user: Any) -> QuerySet[TransferRequest]:
    """Requests to decide (held in the user's scope) and requests the user's unions made."""
    out_q = policy.scope_q(user, "view", field="from_org__path")
    in_q = policy.scope_q(user, "view", field="to_org__path")
    return TransferRequest.objects.filter(out_q | in_q).select_related("person", "from_org", "to_org").order_by("-requested_at")


def get_transfer_for_user(user: Any, pk: Any) -> TransferRequest:
    tr = transfers_for(user).filter(pk=pk if str(pk).isdigit() else -1).first()
    if tr is None:
        raise Http404
    return tr
