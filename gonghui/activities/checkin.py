"""Check-in (签到): services, access helpers and the reads of the check-in pages.

Rules (each refusal is a ``ServiceError`` with a Chinese message, and nothing is written):

- one check-in per person per session (``checkin_once_per_session``); a retry with the same
  client nonce, or a second scan of the same person, returns the existing record with
  ``created=False``. A concurrent insert that loses the race is caught inside a savepoint and
  answered the same way;
- check-in is open while the activity is 报名中 or 进行中 (``CHECKIN_STATUSES``). 草稿 and 已发布
  are refused: 已发布 only announces the activity, the organizer opens it (报名中/进行中) before
  anyone's attendance counts. 已结束 and 已取消 are refused, and so is a cancelled session;
- with a capacity, check-ins stop when their count reaches it (walk-ins do not count: they are
  head counts added to 人次 only). On PostgreSQL the session row is locked for capped sessions
  so two last seats cannot both be taken; SQLite's IMMEDIATE transactions serialise writers;
- the person must belong to the activity's audience: their union's path lies under an
  ``ActivityAudience`` org (an activity without audience rows is open to the organizer's subtree);
- the record keeps the moment's facts: the person's union (open membership, else ``Person.org``)
  and the organizer's path and activity type, so later transfers and subtree moves leave it as is.

Audit: a check-in recorded by a cadre (scanner, manual) writes one audit row, like every act on
someone else's record. A worker's own poster check-in writes none: the CheckIn row is itself the
record of who did what and when (``recorded_by``, ``checked_at``, ``method``), and the poster
rush at the start of an event is the heaviest write load (bench/checkin.py).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.people.models import Membership, Person
from gonghui.reports import services as reports

from . import codes
from .models import Activity, ActivityAudience, CheckIn, Session, WalkIn

# The columns a check-in reads inside its transaction (a slim reload: the request's copy may be old).
_FACTS = ("capacity", "is_cancelled", "activity__status", "activity__activity_type_id", "activity__organizer__path")
CHECKIN_STATUSES = (Activity.Status.REGISTERING, Activity.Status.ONGOING)
# A scanner's clock may be wrong or its queue old: scan times outside this window become "now".
MAX_SCAN_DELAY = dt.timedelta(hours=24)
MAX_WALKIN = 10_000

# ---------------------------------------------------------------------------- access


def _session_qs() -> Any:
    return Session.objects.select_related("activity__organizer", "activity__activity_type")


def get_session_for_user(user: Any, pk: Any, *, action: str = "view") -> Session:
    """A session through its activity's organizer: 404 out of scope, 403 without ``action``."""
    try:
        session = _session_qs().get(pk=int(pk))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    policy.require(user, action, session.activity.organizer)
    return session


def get_session_for_scan(pk: Any) -> Session:
    """A session reached through a poster: the signed token in the URL is the authority."""
    try:
        return _session_qs().get(pk=int(pk))
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---------------------------------------------------------------------------- services


def _require_open(session: Session) -> None:
    activity = session.activity
    if activity.status == Activity.Status.CANCELLED:
        raise ServiceError(_("活动已取消，不能签到"), field="session", code="activity_cancelled")
    if activity.status == Activity.Status.FINISHED:
        raise ServiceError(_("活动已结束，不能签到"), field="session", code="activity_finished")
    if activity.status not in CHECKIN_STATUSES:
        raise ServiceError(_("活动尚未开放签到（报名中或进行中的活动才能签到）"), field="session", code="not_open")
    if session.is_cancelled:
        raise ServiceError(_("该场次已取消，不能签到"), field="session", code="session_cancelled")


def _existing(*, session_id: int, person_id: int, nonce: str | None) -> CheckIn | None:
    """The record a retry or a repeated scan stands for; a nonce of another scan is refused."""
    q = Q(session_id=session_id, person_id=person_id)
    if nonce:
        q |= Q(nonce=nonce)
    rows = list(CheckIn.objects.filter(q))
    for ci in rows:
        if ci.session_id == session_id and ci.person_id == person_id:
            return ci
    if rows:  # the nonce belongs to another person's or session's check-in
        raise ServiceError(_("扫码编号重复，请重新扫码"), field="nonce", code="nonce_reused")
    return None


def _person_union(person: Person) -> tuple[int, str]:
    open_membership = Membership.objects.filter(person_id=person.pk, status__in=Membership.OPEN).values_list("org_id", "org_path").first()
    return open_membership or (person.org_id, person.org_path)


def _in_audience(activity: Activity, person_org_path: str) -> bool:
    paths = list(ActivityAudience.objects.filter(activity_id=activity.pk).values_list("org__path", flat=True)) or [activity.organizer.path]
    return any(person_org_path.startswith(p) for p in paths)


def checkin_record(
    *, actor: Any, session: Session, person: Person, method: str, nonce: str | None = None, at: dt.datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record a check-in, or return the one this scan repeats (``created`` False).

    The checks read before the write transaction starts: on SQLite a transaction holds the
    database's single write lock from its first statement (IMMEDIATE), so only the inserts run
    under it. The unique constraints, and for capped sessions a count under the lock, decide."""
    nonce = nonce or None
    existing = _existing(session_id=session.pk, person_id=person.pk, nonce=nonce)
    if existing is not None:
        return existing, False
    session = Session.objects.select_related("activity__organizer").only(*_FACTS).get(pk=session.pk)
    activity = session.activity
    _require_open(session)
    person_org_id, person_org_path = _person_union(person)
    if not _in_audience(activity, person_org_path):
        raise ServiceError(_("该职工不在本活动的面向范围内，不能签到"), field="person", code="audience")
    ci = CheckIn(
        session=session,
        activity=activity,
        person=person,
        person_org_id=person_org_id,
        person_org_path=person_org_path,
        organizer=activity.organizer,
        organizer_path=activity.organizer.path,
        activity_type_id=activity.activity_type_id,
        checked_at=at or timezone.now(),
        method=method,
        nonce=nonce,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return _checkin_insert(ci, actor=actor, capacity=session.capacity)


@transaction.atomic
def _checkin_insert(ci: CheckIn, *, actor: Any, capacity: int | None) -> tuple[CheckIn, bool]:
    if capacity is not None:
        # Lock the session row (PostgreSQL) so the count cannot be overtaken by a parallel scan.
        Session.objects.select_for_update().filter(pk=ci.session_id).values_list("pk", flat=True).first()
        if CheckIn.objects.filter(session_id=ci.session_id).count() >= capacity:
            raise ServiceError(_("本场次签到人数已满（名额 %(n)d 人）") % {"n": capacity}, field="session", code="full")
    try:
        with transaction.atomic():
            ci.save(force_insert=True)
    except IntegrityError:
        # A concurrent request inserted the same person (or nonce) first: answer as a repeat.
        existing = _existing(session_id=ci.session_id, person_id=ci.person_id, nonce=ci.nonce)
        if existing is None:
            raise
        return existing, False
    reports.rollup_checkin(checkin=ci)  # same transaction: figures are current at commit
    if ci.method != CheckIn.Method.POSTER:
        audit.record(actor=actor, action="activities.checkin", target=ci, org=ci.organizer, data={"session": ci.session_id, "method": ci.method})
    return ci, True


def checkin_scan_member(*, actor: Any, session: Session, code: str, nonce: str | None = None, at: dt.datetime | None = None) -> tuple[CheckIn, bool]:
    """A cadre's scanner read a member code (会员码)."""
    person_id = codes.read_member_code(code)
    person = Person.objects.only("id", "name", "org_id", "org_path").filter(pk=person_id).first()
    if person is None:
        raise codes.CodeError(_("会员码对应的职工档案不存在"), field="code", code="no_person")
    return checkin_record(actor=actor, session=session, person=person, method=CheckIn.Method.SCANNER, nonce=nonce, at=scan_time(at))


def checkin_self(*, actor: Any, session: Session, token: str) -> tuple[CheckIn, bool]:
    """A worker scanned the session's poster and checks themselves in."""
    codes.read_poster_token(token, session=session)
    person = getattr(actor, "person", None)
    if person is None:
        raise ServiceError(_("本账号未关联职工档案，不能签到"), field="person", code="no_person")
    return checkin_record(actor=actor, session=session, person=person, method=CheckIn.Method.POSTER)


def scan_time(at: dt.datetime | None) -> dt.datetime | None:
    """A client's scan time, kept when plausible (queued offline, sent later)."""
    if at is None or timezone.is_naive(at):
        return None
    now = timezone.now()
    return at if now - MAX_SCAN_DELAY <= at <= now else None


@transaction.atomic
def walkin_record(*, actor: Any, session: Session, count: int, note: str = "", at: dt.datetime | None = None) -> WalkIn:
    """``at``: when the head-count applies (default now); a late entry for a past session passes its time."""
    session = _session_qs().get(pk=session.pk)
    _require_open(session)
    if not 0 < count <= MAX_WALKIN:
        raise ServiceError(_("人数须在 1 到 %(max)d 之间") % {"max": MAX_WALKIN}, field="count", code="count")
    wi = WalkIn.objects.create(
        session=session,
        count=count,
        note=note.strip()[:200],
        organizer_path=session.activity.organizer.path,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=at or timezone.now(),
    )
    reports.rollup_walkin(walkin=wi)
    audit.record(actor=actor, action="activities.walkin", target=wi, org=session.activity.organizer, data={"session": session.pk, "count": count})
    return wi


@transaction.atomic
def session_rotate_checkin_key(*, actor: Any, session: Session) -> Session:
    """A new key: every poster printed so far stops working."""
    session.checkin_key = secrets.token_hex(16)
    session.save(update_fields=["checkin_key"])
    audit.record(actor=actor, action="activities.checkin_key_rotate", target=session, org=session.activity.organizer, data={})
    return session


# ---------------------------------------------------------------------------- reads


def short_name(name: str) -> str:
    """A name as the check-in pages show it: the first character, the rest starred (张**)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "—"


def checkins_of(session: Session) -> Any:
    return CheckIn.objects.filter(session_id=session.pk).select_related("person", "person_org").order_by("-checked_at", "-id")


def session_figures(session: Session) -> dict[str, int]:
    """人 (distinct people) = check-ins; 人次 = check-ins + walk-in head counts."""
    people = CheckIn.objects.filter(session_id=session.pk).aggregate(n=Count("id"))["n"]
    walkins = WalkIn.objects.filter(session_id=session.pk).aggregate(n=Sum("count"))["n"] or 0
    return {"people": people, "walkins": walkins, "attendance": people + walkins}
