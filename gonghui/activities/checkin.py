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

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib import fastsql
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.people.models import Membership, Person
from gonghui.reports import services as reports

from . import codes
from .models import Activity, ActivityAudience, CheckIn, Session, WalkIn

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


def get_session_ref_for_user(user: Any, pk: Any, *, action: str) -> Session:
    """``get_session_for_user`` for the scanner's sync, which runs once per queued scan: one
    hand-written read of the session's id and its organizer (id, path), enough for the policy
    and the service; the returned instances load any other field on first use."""
    try:
        pk = int(pk)
    except (ValueError, TypeError):
        raise Http404 from None
    if not 0 < pk < 2**63:  # beyond a 64-bit key: no such session (SQLite would refuse the value)
        raise Http404
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT s.id, s.activity_id, o.id, o.path FROM {_T['session']} s "  # noqa: S608 - constants
            f"JOIN {_T['activity']} a ON a.id = s.activity_id JOIN {_T['org']} o ON o.id = a.organizer_id WHERE s.id = %s",
            [pk],
        )
        row = cur.fetchone()
    if row is None:
        raise Http404
    alias = connection.alias
    session = Session.from_db(alias, ["id", "activity_id"], row[:2])
    session.activity = Activity.from_db(alias, ["id", "organizer_id"], row[1:3])
    session.activity.organizer = Org.from_db(alias, ["id", "path"], row[2:])
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
    _refuse_closed(status=session.activity.status, session_cancelled=session.is_cancelled)


def _refuse_closed(*, status: str, session_cancelled: bool) -> None:
    if status == Activity.Status.CANCELLED:
        raise ServiceError(_("活动已取消，不能签到"), field="session", code="activity_cancelled")
    if status == Activity.Status.FINISHED:
        raise ServiceError(_("活动已结束，不能签到"), field="session", code="activity_finished")
    if status not in CHECKIN_STATUSES:
        raise ServiceError(_("活动尚未开放签到（报名中或进行中的活动才能签到）"), field="session", code="not_open")
    if session_cancelled:
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


# The check-in is the heaviest write (a poster rush, a scanner's queue): its reads are one
# statement and its writes hand-written inserts, not ORM queries (bench/checkin.py; a compiled
# ORM query costs more than the database's work here). Table names are constants.
_T = {
    "ci": CheckIn._meta.db_table,
    "session": Session._meta.db_table,
    "activity": Activity._meta.db_table,
    "audience": ActivityAudience._meta.db_table,
    "org": Org._meta.db_table,
    "person": Person._meta.db_table,
    "membership": Membership._meta.db_table,
}
_OPEN_MEMBERSHIP = ", ".join(f"'{s}'" for s in Membership.OPEN)  # constants of the model
# One row: the session's and activity's state, the person's union now (open membership, else
# Person.org), the check-in this scan repeats, whether the nonce is taken, and whether the
# union lies in the audience (no audience rows: the organizer's subtree).
_FACTS_SQL = f"""
SELECT s.capacity, s.is_cancelled, a.id, a.status, a.activity_type_id, a.organizer_id, o.path,
       u.name, u.org_id, u.org_path,
       (SELECT c.id FROM {_T["ci"]} c WHERE c.session_id = s.id AND c.person_id = u.id),
       (SELECT c.id FROM {_T["ci"]} c WHERE c.nonce = %s),
       CASE WHEN EXISTS (SELECT 1 FROM {_T["audience"]} aa WHERE aa.activity_id = a.id)
            THEN EXISTS (SELECT 1 FROM {_T["audience"]} aa JOIN {_T["org"]} ao ON ao.id = aa.org_id
                         WHERE aa.activity_id = a.id AND substr(u.org_path, 1, length(ao.path)) = ao.path)
            ELSE substr(u.org_path, 1, length(o.path)) = o.path END
FROM {_T["session"]} s
JOIN {_T["activity"]} a ON a.id = s.activity_id
JOIN {_T["org"]} o ON o.id = a.organizer_id
CROSS JOIN (
    SELECT p.id, p.name, COALESCE(m.org_id, p.org_id) AS org_id, COALESCE(m.org_path, p.org_path) AS org_path
    FROM {_T["person"]} p
    LEFT JOIN {_T["membership"]} m ON m.person_id = p.id AND m.status IN ({_OPEN_MEMBERSHIP})
    WHERE p.id = %s
) u
WHERE s.id = %s
"""  # noqa: S608 - table names and statuses are constants, values are parameters


def _read_facts(*, session_id: int, person_id: int, nonce: str | None) -> tuple[Any, ...] | None:
    """The one row of ``_FACTS_SQL``; None when the person (or the session) does not exist."""
    with connection.cursor() as cur:
        cur.execute(_FACTS_SQL, [nonce, person_id, session_id])
        return cur.fetchone()


def checkin_record(
    *, actor: Any, session: Session, person: Person, method: str, nonce: str | None = None, at: dt.datetime | None = None
) -> tuple[CheckIn, bool]:
    """Record a check-in, or return the one this scan repeats (``created`` False)."""
    ci, created = _record(actor=actor, session_id=session.pk, person_id=person.pk, method=method, nonce=nonce, at=at)
    ci.person = person
    return ci, created


def _record(*, actor: Any, session_id: int, person_id: int, method: str, nonce: str | None, at: dt.datetime | None) -> tuple[CheckIn, bool]:
    """The checks read before the write transaction starts (one statement): on SQLite a
    transaction holds the database's single write lock from its first statement (IMMEDIATE), so
    only the inserts run under it. The unique constraints, and for capped sessions a count under
    the lock, decide."""
    nonce = nonce or None
    row = _read_facts(session_id=session_id, person_id=person_id, nonce=nonce)
    if row is None:  # no such person (a member code's) or, rarely, a session gone meanwhile
        if Person.objects.filter(pk=person_id).exists():
            raise ServiceError(_("该场次不存在"), field="session", code="no_session")
        raise codes.CodeError(_("会员码对应的职工档案不存在"), field="code", code="no_person")
    (
        capacity,
        session_cancelled,
        activity_id,
        status,
        type_id,
        organizer_id,
        organizer_path,
        name,
        org_id,
        org_path,
        existing_id,
        nonce_id,
        audience,
    ) = row
    if existing_id is not None or nonce_id is not None:
        existing = _existing(session_id=session_id, person_id=person_id, nonce=nonce)
        if existing is not None:
            return existing, False
    _refuse_closed(status=status, session_cancelled=bool(session_cancelled))
    if not audience:
        raise ServiceError(_("该职工不在本活动的面向范围内，不能签到"), field="person", code="audience")
    ci = CheckIn(
        session_id=session_id,
        activity_id=activity_id,
        person_id=person_id,
        person_org_id=org_id,
        person_org_path=org_path,
        organizer_id=organizer_id,
        organizer_path=organizer_path,
        activity_type_id=type_id,
        checked_at=at or timezone.now(),
        method=method,
        nonce=nonce,
        recorded_by_id=getattr(actor, "pk", None),
    )
    ci.organizer = Org.from_db(connection.alias, ["id", "path"], [organizer_id, organizer_path])  # for the audit row
    ci, created = _checkin_insert(ci, actor=actor, capacity=capacity)
    if created:
        ci.person = Person.from_db(connection.alias, ["id", "name"], [person_id, name])
    return ci, created


def _checkin_insert(ci: CheckIn, *, actor: Any, capacity: int | None) -> tuple[CheckIn, bool]:
    """Every statement is prepared (values adapted, rollup keys built) before the transaction,
    which then runs them: on SQLite it holds the single write lock from BEGIN to COMMIT. What
    the transaction learns (the new row's id) and the timestamps that must follow commit order
    (the audit row's, the figures' "as of") are filled in under it."""
    insert = fastsql.Insert(ci, ignore_conflicts=True)
    event = None
    if ci.method != CheckIn.Method.POSTER:
        data = {"session": ci.session_id, "method": ci.method}
        event = fastsql.Insert(audit.build(actor=actor, action="activities.checkin", target=ci, org=ci.organizer, data=data))
    rollup = reports.CheckinRollup(ci)
    with transaction.atomic(), connection.cursor() as cur:
        if capacity is not None:
            if connection.features.has_select_for_update:  # PostgreSQL: no two last seats
                cur.execute(f"SELECT id FROM {_T['session']} WHERE id = %s FOR UPDATE", [ci.session_id])  # noqa: S608
            cur.execute(f"SELECT count(*) FROM {_T['ci']} WHERE session_id = %s", [ci.session_id])  # noqa: S608
            if cur.fetchone()[0] >= capacity:
                raise ServiceError(_("本场次签到人数已满（名额 %(n)d 人）") % {"n": capacity}, field="session", code="full")
        if not insert.run(cur):
            # A concurrent request inserted the same person (or nonce) first: answer as a repeat.
            existing = _existing(session_id=ci.session_id, person_id=ci.person_id, nonce=ci.nonce)
            if existing is None:
                raise IntegrityError("check-in conflicted with a row that is gone")
            return existing, False
        if event is not None:
            event.set("target_id", ci.pk)
            event.set("at", timezone.now())  # in commit order, as every other audit row
            event.run(cur)
        # Same transaction, so figures are current at commit.
        rollup.write(cur)
    return ci, True


def checkin_scan_member(*, actor: Any, session: Session, code: str, nonce: str | None = None, at: dt.datetime | None = None) -> tuple[CheckIn, bool]:
    """A cadre's scanner read a member code (会员码)."""
    person_id = codes.read_member_code(code)
    return _record(actor=actor, session_id=session.pk, person_id=person_id, method=CheckIn.Method.SCANNER, nonce=nonce, at=scan_time(at))


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
