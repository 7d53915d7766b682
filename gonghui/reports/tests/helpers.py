"""Activity rows written straight through the ORM, then the rollups called exactly as the
check-in service does (inside the same transaction, right after inserting a NEW row)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType, CheckIn, Session, WalkIn
from gonghui.orgs.models import Org
from gonghui.people.models import Person
from gonghui.reports import services

TZ = dt.timezone(dt.timedelta(hours=8))
_seq = itertools.count(1)


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def activity_type(code: str = "film") -> ActivityType:
    return ActivityType.objects.get(code=code)


def make_activity(organizer: Org, *, type_code: str = "film", status: str = "finished", campaign: Any = None, alliance: Any = None) -> Activity:
    now = timezone.now()
    organizer.refresh_from_db()
    return Activity.objects.create(
        title=f"活动{next(_seq)}",
        activity_type=activity_type(type_code),
        organizer=organizer,
        organizer_path=organizer.path,
        status=status,
        campaign=campaign,
        alliance=alliance,
        created_at=now,
        updated_at=now,
    )


def make_session(activity: Activity, starts_at: dt.datetime, *, cancelled: bool = False) -> Session:
    return Session.objects.create(
        activity=activity,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        place="职工之家",
        is_cancelled=cancelled,
        checkin_key=f"k{next(_seq)}",
        created_at=timezone.now(),
    )


@transaction.atomic
def check_in(session: Session, person: Person, at_: dt.datetime | None = None) -> CheckIn | None:
    """A scan: the moment's facts copied from the person and the activity; a re-scan of the same
    session is refused by the unique constraint and counts nothing (returns None)."""
    person = Person.objects.select_related("org").get(pk=person.pk)
    activity = session.activity
    organizer = Org.objects.get(pk=activity.organizer_id)  # its place in the tree now
    try:
        with transaction.atomic():
            c = CheckIn.objects.create(
                session=session,
                activity=activity,
                person=person,
                person_org=person.org,
                person_org_path=person.org.path,
                organizer_id=activity.organizer_id,
                organizer_path=organizer.path,
                activity_type_id=activity.activity_type_id,
                checked_at=at_ or session.starts_at + dt.timedelta(minutes=5),
                method=CheckIn.Method.SCANNER,
            )
    except IntegrityError:
        return None
    services.rollup_checkin(checkin=c)
    return c


@transaction.atomic
def walk_in(session: Session, count: int, at_: dt.datetime | None = None) -> WalkIn:
    organizer = Org.objects.get(pk=session.activity.organizer_id)
    w = WalkIn.objects.create(
        session=session, count=count, organizer_path=organizer.path, recorded_at=at_ or session.starts_at + dt.timedelta(hours=1)
    )
    services.rollup_walkin(walkin=w)
    return w
