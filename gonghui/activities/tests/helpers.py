"""Activities made through the real services, for the tests here and the authorization matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Activity, ActivityType, Session

S = Activity.Status
# The path of services that reaches each state from a draft.
PATH = {
    S.DRAFT: [],
    S.PUBLISHED: [S.PUBLISHED],
    S.REGISTERING: [S.PUBLISHED, S.REGISTERING],
    S.ONGOING: [S.PUBLISHED, S.REGISTERING, S.ONGOING],
    S.FINISHED: [S.PUBLISHED, S.REGISTERING, S.ONGOING, S.FINISHED],
    S.CANCELLED: [S.CANCELLED],
}


def lecture() -> ActivityType:
    # Seeded by migration 0002; a flushed (transactional) test database has lost it.
    return ActivityType.objects.get_or_create(code="lecture", defaults={"name": "讲座/宣讲", "sort": 30})[0]


def make_activity(organizer: Any, *, status: str = S.REGISTERING, capacity: int | None = 10, title: str = "职工读书会", **kwargs: Any) -> Activity:
    a = services.activity_create(actor=None, organizer=organizer, activity_type=lecture(), title=title, **kwargs)
    make_session(a, capacity=capacity)
    for to in PATH[status]:
        services.activity_transition(actor=None, activity=a, to_status=to, summary="圆满完成" if to == S.FINISHED else "")
    a.refresh_from_db()
    return a


def make_session(activity: Activity, *, capacity: int | None = 10, days: int = 7) -> Session:
    start = timezone.now() + dt.timedelta(days=days)
    return services.session_add(
        actor=None, activity=activity, starts_at=start, ends_at=start + dt.timedelta(hours=2), place="职工之家", capacity=capacity
    )
