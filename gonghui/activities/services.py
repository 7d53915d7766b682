"""Writes for activities: create and edit, sessions, the lifecycle, registrations.

Registration is open while the activity is 报名中 or 进行中 (a published activity is announced
but not yet open: people see it, nobody registers). Capacity and the waiting list are decided
after locking the session row, so two registrations never both take the last seat; a
cancellation promotes the oldest waitlisted registrations in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org
from gonghui.people.models import Membership, Person

from .models import Activity, ActivityAudience, ActivityEvent, ActivityType, Campaign, Registration, Session

S = Activity.Status
REGISTRATION_OPEN = (S.REGISTERING, S.ONGOING)
EDITABLE = (S.DRAFT, S.PUBLISHED)
CLOSED = (S.FINISHED, S.CANCELLED)


def _event(*, activity: Activity, actor: Any, from_status: str, to_status: str, note: str = "", session: Session | None = None) -> ActivityEvent:
    return ActivityEvent.objects.create(
        activity=activity,
        session=session,
        from_status=from_status,
        to_status=to_status,
        note=note[:500],
        actor_id=getattr(actor, "pk", None),
        at=timezone.now(),
    )


def _default_audience(*, organizer: Org, alliance: Any) -> list[Org]:
    if alliance is not None:
        members = [m.org for m in alliance.members.filter(left_on__isnull=True).select_related("org").order_by("joined_on", "id")]
        if members:
            return members
    return [organizer]


def _check_audience(*, organizer: Org, alliance: Any, orgs: list[Org]) -> list[Org]:
    """An activity addresses the organizer's own subtree, or (alliance activity) its member unions."""
    allowed_ids = set(alliance.members.filter(left_on__isnull=True).values_list("org_id", flat=True)) if alliance is not None else set()
    unique: dict[int, Org] = {}
    for org in orgs:
        if not org.is_open:
            raise ServiceError(_("面向工会「%(org)s」已撤销") % {"org": org.name}, field="audience")
        if not org.path.startswith(organizer.path) and org.pk not in allowed_ids:
            raise ServiceError(_("面向工会「%(org)s」不在主办单位的下级范围内") % {"org": org.name}, field="audience")
        unique[org.pk] = org
    if not unique:
        raise ServiceError(_("请至少选择一个面向工会"), field="audience")
    return list(unique.values())


def _set_audience(activity: Activity, orgs: list[Org]) -> None:
    activity.audience.exclude(org__in=orgs).delete()
    have = set(activity.audience.values_list("org_id", flat=True))
    ActivityAudience.objects.bulk_create([ActivityAudience(activity=activity, org=o, org_path=o.path) for o in orgs if o.pk not in have])


def _check_links(*, organizer: Org, alliance: Any, campaign: Campaign | None, activity_type: ActivityType) -> None:
    if not organizer.is_open:
        raise ServiceError(_("主办单位已撤销"), field="organizer")
    if not activity_type.is_active:
        raise ServiceError(_("该活动类型已停用"), field="activity_type")
    if alliance is not None and alliance.host_org_id != organizer.pk and not alliance.members.filter(org=organizer, left_on__isnull=True).exists():
        raise ServiceError(_("主办单位不是该联盟的牵头工会或成员工会"), field="alliance")
    if campaign is not None and not organizer.path.startswith(campaign.org_path):
        raise ServiceError(_("主办单位不在该专项行动的范围内"), field="campaign")


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    organizer: Org,
    activity_type: ActivityType,
    title: str,
    venue: str = "",
    description: str = "",
    co_organizers: Iterable[Org] = (),
    alliance: Any = None,
    campaign: Campaign | None = None,
    audience: Iterable[Org] | None = None,
) -> Activity:
    """A draft. The audience defaults to the organizer's own org, or an alliance's current member unions."""
    title = title.strip()
    if not title:
        raise ServiceError(_("活动名称不能为空"), field="title")
    _check_links(organizer=organizer, alliance=alliance, campaign=campaign, activity_type=activity_type)
    orgs = list(audience) if audience else _default_audience(organizer=organizer, alliance=alliance)
    orgs = _check_audience(organizer=organizer, alliance=alliance, orgs=orgs)
    now = timezone.now()
    a = Activity.objects.create(
        title=title,
        activity_type=activity_type,
        organizer=organizer,
        organizer_path=organizer.path,
        alliance=alliance,
        campaign=campaign,
        venue=venue.strip(),
        description=description.strip(),
        status=S.DRAFT,
        created_by_id=getattr(actor, "pk", None),
        created_at=now,
        updated_at=now,
    )
    a.co_organizers.set([o for o in co_organizers if o.pk != organizer.pk])
    _set_audience(a, orgs)
    _event(activity=a, actor=actor, from_status="", to_status=S.DRAFT)
    audit.record(actor=actor, action="activities.create", target=a, data={"audience": sorted(o.pk for o in orgs)})
    return a


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, data: dict[str, Any]) -> Activity:
    """Edit title, type, venue, description, co-organizers, audience: only in 草稿 / 已发布."""
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if a.status not in EDITABLE:
        raise ServiceError(_("活动已开始报名或已结束，不能再修改"), field="status", code="not_editable")
    before = {k: getattr(a, k) for k in ("title", "activity_type_id", "venue", "description")}
    if "title" in data:
        a.title = data["title"].strip()
        if not a.title:
            raise ServiceError(_("活动名称不能为空"), field="title")
    if "activity_type" in data:
        if not data["activity_type"].is_active:
            raise ServiceError(_("该活动类型已停用"), field="activity_type")
        a.activity_type = data["activity_type"]
    for k in ("venue", "description"):
        if k in data:
            setattr(a, k, data[k].strip())
    changes = audit.changed_fields(a, before)
    if data.get("audience"):
        orgs = _check_audience(organizer=a.organizer, alliance=a.alliance, orgs=list(data["audience"]))
        _set_audience(a, orgs)
        changes["audience"] = sorted(o.pk for o in orgs)
    if "co_organizers" in data:
        a.co_organizers.set([o for o in data["co_organizers"] if o.pk != a.organizer_id])
        changes["co_organizers"] = sorted(o.pk for o in data["co_organizers"])
    a.updated_at = timezone.now()
    a.save()
    audit.record(actor=actor, action="activities.update", target=a, data=changes)
    return a


@transaction.atomic
def activity_transition(*, actor: Any, activity: Activity, to_status: str, note: str = "", summary: str = "") -> Activity:
    """Move along Activity.ALLOWED; 已结束 needs a summary. Cancelling cancels open registrations."""
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if to_status not in Activity.Status.values or to_status not in Activity.ALLOWED[a.status]:
        label = dict(Activity.Status.choices).get(to_status, to_status)
        raise ServiceError(
            _("活动状态不能从「%(old)s」变为「%(new)s」") % {"old": a.get_status_display(), "new": label},
            field="to_status",
            code="invalid_transition",
        )
    live_sessions = a.sessions.filter(is_cancelled=False)
    if to_status in (S.PUBLISHED, S.REGISTERING, S.ONGOING) and not live_sessions.exists():
        raise ServiceError(_("请先添加至少一个场次"), field="sessions", code="no_sessions")
    data: dict[str, Any] = {"from": a.status, "to": to_status, "note": note}
    if to_status == S.FINISHED:
        summary = summary.strip()
        if not summary:
            raise ServiceError(_("结束活动须填写活动总结"), field="summary")
        a.summary = summary
    if to_status == S.CANCELLED:
        data["registrations_cancelled"] = (
            Registration.objects.filter(session__activity=a)
            .exclude(status=Registration.Status.CANCELLED)
            .update(status=Registration.Status.CANCELLED, cancelled_at=timezone.now())
        )
    from_status = a.status
    a.status = to_status
    a.updated_at = timezone.now()
    a.save(update_fields=["status", "summary", "updated_at"])
    _event(activity=a, actor=actor, from_status=from_status, to_status=to_status, note=note)
    audit.record(actor=actor, action="activities.transition", target=a, data=data)
    return a


@transaction.atomic
def session_add(
    *, actor: Any, activity: Activity, starts_at: dt.datetime, ends_at: dt.datetime, place: str, capacity: int | None = None, title: str = ""
) -> Session:
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if a.status in CLOSED:
        raise ServiceError(_("活动已结束或已取消，不能添加场次"), field="status")
    if ends_at <= starts_at:
        raise ServiceError(_("结束时间须晚于开始时间"), field="ends_at")
    place = place.strip()
    if not place:
        raise ServiceError(_("地点不能为空"), field="place")
    if capacity is not None and capacity < 1:
        raise ServiceError(_("名额须至少为 1（不限名额请留空）"), field="capacity")
    s = Session.objects.create(
        activity=a,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        capacity=capacity,
        checkin_key=secrets.token_hex(16),
        created_at=timezone.now(),
    )
    _event(activity=a, actor=actor, from_status=a.status, to_status=a.status, session=s, note=f"新增场次：{s.title or place}")
    audit.record(actor=actor, action="activities.session_add", target=s, org=a.organizer, data={"capacity": capacity})
    return s


@transaction.atomic
def session_cancel(*, actor: Any, session: Session, note: str = "") -> Session:
    """Cancels the session and every registration on it (nobody is promoted: there is no session)."""
    s = Session.objects.select_for_update().select_related("activity__organizer").get(pk=session.pk)
    if s.is_cancelled:
        raise ServiceError(_("该场次已取消"), field="session")
    if s.activity.status in CLOSED:
        raise ServiceError(_("活动已结束或已取消，不能再取消场次"), field="session")
    s.is_cancelled = True
    s.save(update_fields=["is_cancelled"])
    n = s.registrations.exclude(status=Registration.Status.CANCELLED).update(status=Registration.Status.CANCELLED, cancelled_at=timezone.now())
    a = s.activity
    _event(
        activity=a,
        actor=actor,
        from_status=a.status,
        to_status=a.status,
        session=s,
        note=f"取消场次：{s.title or s.place}{'；' + note if note else ''}",
    )
    audit.record(actor=actor, action="activities.session_cancel", target=s, org=a.organizer, data={"registrations_cancelled": n, "note": note})
    return s


# Registration -------------------------------------------------------------------------------


def _lock_open_session(session: Session) -> Session:
    s = Session.objects.select_for_update().select_related("activity__organizer").get(pk=session.pk)
    a = s.activity
    if a.status in CLOSED:
        raise ServiceError(_("活动已结束或已取消，不能报名"), field="session", code="closed")
    if a.status not in REGISTRATION_OPEN:
        raise ServiceError(_("活动尚未开始报名"), field="session", code="not_open")
    if s.is_cancelled:
        raise ServiceError(_("该场次已取消，不能报名"), field="session", code="closed")
    if s.ends_at <= timezone.now():
        raise ServiceError(_("该场次已结束，不能报名"), field="session", code="closed")
    return s


def outside_audience(session: Session, people: list[Person]) -> list[Person]:
    """People without an active membership in an org inside the activity's audience."""
    paths = list(session.activity.audience.values_list("org_path", flat=True))
    member_paths = dict(Membership.objects.filter(person__in=people, status=Membership.Status.ACTIVE).values_list("person_id", "org_path"))
    return [p for p in people if not any(member_paths.get(p.pk, "\x00").startswith(ap) for ap in paths)]


def _names(people: Iterable[Person]) -> str:
    return "、".join(f"「{p.name}」" for p in people)


def _create_locked(*, actor: Any, session: Session, person: Person) -> Registration:
    """Seat or waitlist one person; ``session`` is locked by the caller."""
    registered = session.registrations.filter(status=Registration.Status.REGISTERED).count()
    now = timezone.now()
    full = session.capacity is not None and registered >= session.capacity
    try:
        with transaction.atomic():  # a savepoint: a lost race on the unique constraint is a refusal
            r = Registration.objects.create(
                session=session,
                person=person,
                status=Registration.Status.WAITLISTED if full else Registration.Status.REGISTERED,
                registered_by_id=getattr(actor, "pk", None),
                created_at=now,
                waitlisted_at=now if full else None,
            )
    except IntegrityError:
        raise ServiceError(_("%(names)s已报名该场次") % {"names": _names([person])}, field="person", code="duplicate") from None
    audit.record(
        actor=actor,
        action="activities.register",
        target=r,
        org=session.activity.organizer,
        data={"session": session.pk, "person": person.pk, "status": r.status},
    )
    return r


@transaction.atomic
def registration_create(*, actor: Any, session: Session, person: Person) -> Registration:
    """One person for one session: 已报名 while seats are left, else 候补."""
    s = _lock_open_session(session)
    if outside_audience(s, [person]):
        raise ServiceError(_("%(names)s不在本活动的报名范围内") % {"names": _names([person])}, field="person", code="outside_audience")
    if s.registrations.filter(person=person).exclude(status=Registration.Status.CANCELLED).exists():
        raise ServiceError(_("%(names)s已报名该场次") % {"names": _names([person])}, field="person", code="duplicate")
    return _create_locked(actor=actor, session=s, person=person)


@transaction.atomic
def registration_bulk(*, actor: Any, session: Session, people: list[Person]) -> list[Registration]:
    """A cadre registers several members at once: all or nothing, each refusal named."""
    if not people:
        raise ServiceError(_("请至少选择一名人员"), field="people")
    s = _lock_open_session(session)
    outside = outside_audience(s, people)
    if outside:
        raise ServiceError(_("以下人员不在本活动的报名范围内：%(names)s") % {"names": _names(outside)}, field="people", code="outside_audience")
    already = set(s.registrations.filter(person__in=people).exclude(status=Registration.Status.CANCELLED).values_list("person_id", flat=True))
    if already:
        raise ServiceError(
            _("以下人员已报名该场次：%(names)s") % {"names": _names(p for p in people if p.pk in already)}, field="people", code="duplicate"
        )
    return [_create_locked(actor=actor, session=s, person=p) for p in people]


@transaction.atomic
def registration_cancel(*, actor: Any, registration: Registration) -> Registration:
    """Cancel; a freed seat goes to the oldest waitlisted registration, in this transaction."""
    s = Session.objects.select_for_update().select_related("activity__organizer").get(pk=registration.session_id)
    r = Registration.objects.select_for_update().get(pk=registration.pk)
    if r.status == Registration.Status.CANCELLED:
        raise ServiceError(_("该报名已取消"), field="registration")
    if s.activity.status in CLOSED:
        raise ServiceError(_("活动已结束或已取消，不能取消报名"), field="registration")
    was = r.status
    r.status, r.cancelled_at = Registration.Status.CANCELLED, timezone.now()
    r.save(update_fields=["status", "cancelled_at"])
    organizer = s.activity.organizer
    audit.record(
        actor=actor, action="activities.registration_cancel", target=r, org=organizer, data={"session": s.pk, "person": r.person_id, "was": was}
    )
    if was == Registration.Status.REGISTERED and not s.is_cancelled:
        promote_waitlisted(actor=actor, session=s)
    return r


def promote_waitlisted(*, actor: Any, session: Session) -> list[Registration]:
    """Fill free seats from the waiting list, oldest first; ``session`` is locked by the caller."""
    if session.capacity is None:
        free = None
    else:
        free = session.capacity - session.registrations.filter(status=Registration.Status.REGISTERED).count()
        if free <= 0:
            return []
    queue = session.registrations.filter(status=Registration.Status.WAITLISTED).order_by("waitlisted_at", "id")
    promoted = list(queue if free is None else queue[:free])
    for r in promoted:
        r.status = Registration.Status.REGISTERED
        r.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="activities.registration_promote",
            target=r,
            org=session.activity.organizer,
            data={"session": session.pk, "person": r.person_id},
        )
    return promoted
