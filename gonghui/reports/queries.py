"""Reads for reports: the figures 期 / 场次 / 人次 / 人 for an org subtree, a range of months and an
activity type, from the rollups; and ``recount_*`` of the same figures from the raw records.

Counting (docs/architecture.md, "Reports"):

- 期 (activities): activities neither draft nor cancelled, counted once, in the month of their
  first non-cancelled session, once that session has started.
- 场次 (sessions): non-cancelled sessions of such activities that have started, by start month.
- 人次 (attendance): check-in rows (by the month of the check-in) plus walk-in head-counts (by
  the month they were recorded).
- 人 (people): distinct people with at least one check-in.

"In the subtree of org X" means: the organizer was in X's subtree at the moment of the fact (the
activity's creation for 期/场次, the check-in for 人次/人). A fact keeps the organizer path of its
moment, so the filter is a union of path ranges: X's current path and every path X had before a
move (rebuilt from ``OrgMove``). Facts keep counting where they happened when a subtree moves.
The ``Tally`` rows say the same by node id: a fact adds to the rows of every node on its path.

The dashboard reads 人次 by month, type and sub-org from X's ``Tally`` rows (a few hundred at the
national root), and for a whole calendar year of every type its organizer and participant lists
from X's yearly ``Tally`` rows and ``PeopleCount`` rows (the organizers' own, the participant
unions' under X); other periods and single types build those two lists from the attendance and
person-month rollups below X.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType, Campaign, CampaignTarget, CheckIn, Session, WalkIn
from gonghui.lib.textrange import prefix_q
from gonghui.orgs.models import Org, OrgMove

from .models import AttendanceRollup, PeopleCount, PersonMonth, PersonYear, Tally, WalkInRollup

COUNTED = (Activity.Status.PUBLISHED, Activity.Status.REGISTERING, Activity.Status.ONGOING, Activity.Status.FINISHED)
TOP = 50


# --- the filter ------------------------------------------------------------------------------


def subtree_prefixes(org: Org) -> list[str]:
    """Every path ``org`` has had: its current one, then walking back through subtree moves
    (its own and its ancestors'), newest first. Paths are made of primary keys, so any of them
    as a prefix selects facts that were inside ``org``'s subtree when they happened."""
    paths = [org.path]
    current = org.path
    for old, new in OrgMove.objects.order_by("-id").values_list("old_path", "new_path"):
        if current.startswith(new):
            current = old + current[len(new) :]
            if current not in paths:
                paths.append(current)
    return paths


@dataclass(frozen=True)
class Period:
    """Whole months, ``first`` to ``last`` inclusive (both the first day of their month)."""

    first: dt.date
    last: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1))

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """Exclusive: midnight of the first day after the last month."""
        return timezone.make_aware(dt.datetime.combine(next_month(self.last), dt.time.min))

    @property
    def calendar_year(self) -> int | None:
        """The year when the period is exactly one calendar year, else None."""
        y = self.first.year
        return y if (self.first, self.last) == (dt.date(y, 1, 1), dt.date(y, 12, 1)) else None

    def months(self) -> list[dt.date]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = next_month(m)
        return out


def next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


@dataclass(frozen=True)
class Scope:
    prefixes: tuple[str, ...]
    period: Period
    org_id: int  # the node whose subtree this is
    activity_type_id: int | None = None

    @classmethod
    def of(cls, org: Org, period: Period, activity_type_id: int | None = None) -> Scope:
        return cls(tuple(subtree_prefixes(org)), period, org.pk, activity_type_id)

    @property
    def counted_year(self) -> int | None:
        """The year whose yearly tallies and per-kind counters answer this scope's lists: a whole
        calendar year of every type; else None (the lists come from the rollups)."""
        return None if self.activity_type_id else self.period.calendar_year

    def path_q(self, field: str) -> Q:
        q = Q(pk__in=[])
        for p in self.prefixes:
            q |= prefix_q(field, p)
        return q

    def rollup_q(self, path_field: str = "organizer_path") -> Q:
        q = self.path_q(path_field) & Q(month__gte=self.period.first, month__lte=self.period.last)
        if self.activity_type_id:
            q &= Q(activity_type_id=self.activity_type_id)
        return q


# --- figures from the rollups ----------------------------------------------------------------


@dataclass
class Figures:
    activities: int
    sessions: int
    attendance: int
    people: int
    as_of: dt.datetime  # the rollups are written in the check-in's transaction: exact as of the read
    last_change: dt.datetime | None  # the latest check-in or walk-in counted in these figures


def _held_sessions(scope: Scope, now: dt.datetime) -> QuerySet[Session]:
    q = scope.path_q("activity__organizer_path") & Q(is_cancelled=False, activity__status__in=COUNTED)
    q &= Q(starts_at__gte=scope.period.start, starts_at__lt=min(scope.period.end, now))
    if scope.activity_type_id:
        q &= Q(activity__activity_type_id=scope.activity_type_id)
    return Session.objects.filter(q)


def _counted_activities(scope: Scope, now: dt.datetime) -> QuerySet[Activity]:
    q = scope.path_q("organizer_path") & Q(status__in=COUNTED)
    if scope.activity_type_id:
        q &= Q(activity_type_id=scope.activity_type_id)
    first = Min("sessions__starts_at", filter=Q(sessions__is_cancelled=False))
    return Activity.objects.filter(q).annotate(first=first).filter(first__gte=scope.period.start, first__lt=min(scope.period.end, now))


def _people(scope: Scope) -> int:
    """人: for a whole calendar year, the scope node's counter (one row at any scope); for any
    other period, distinct people over the scope's person-month rows."""
    year = scope.period.calendar_year
    if year is not None:
        counted = PeopleCount.objects.filter(
            org_id=scope.org_id, year=year, activity_type=scope.activity_type_id or PersonYear.ALL_TYPES, kind=PersonYear.Kind.SUBTREE
        )
        return counted.aggregate(n=Sum("people"))["n"] or 0
    return PersonMonth.objects.filter(scope.rollup_q()).values("person_id").distinct().count()


def _by_child(scope: Scope) -> tuple[list[tuple[dt.date, int, int, int]], dt.datetime | None]:
    """The scope node's ``Tally`` rows by child, (month, type, child or 0, 人次), and the latest
    change among them (read apart: a datetime per row costs more than the rows)."""
    q = Q(node_id=scope.org_id, kind=Tally.Kind.BY_CHILD, period__gte=scope.period.first, period__lte=scope.period.last)
    if scope.activity_type_id:
        q &= Q(activity_type=scope.activity_type_id)
    rows = Tally.objects.filter(q)
    return list(rows.values_list("period", "activity_type", "item", "checkins")), rows.aggregate(at=Max("updated_at"))["at"]


def _figures(scope: Scope, by_child: tuple[list[tuple[dt.date, int, int, int]], dt.datetime | None], now: dt.datetime) -> Figures:
    rows, last_change = by_child
    return Figures(
        activities=_counted_activities(scope, now).count(),
        sessions=_held_sessions(scope, now).count(),
        attendance=sum(r[3] for r in rows),
        people=_people(scope),
        as_of=now,
        last_change=last_change,
    )


def figures(scope: Scope) -> Figures:
    return _figures(scope, _by_child(scope), timezone.now())


def _org_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("/", 1)[1])


def _child_of(path: str, prefixes: tuple[str, ...]) -> int | None:
    """The id of the scope org's direct child (at the fact's moment) above ``path``; None for
    facts of the scope org itself."""
    for p in prefixes:
        if path.startswith(p):
            rest = path[len(p) :].strip("/")
            return int(rest.split("/", 1)[0]) if rest else None
    return None


def _top(scope: Scope, kind: Tally.Kind) -> list[tuple[int, int]]:
    """The scope node's top ``TOP`` items of a yearly kind, every type: (org id, 人次)."""
    year = scope.period.first
    rows = Tally.objects.filter(node_id=scope.org_id, kind=kind, period=year, activity_type=PersonYear.ALL_TYPES)
    return list(rows.order_by("-checkins", "item").values_list("item", "checkins")[:TOP])


def _distinct_people(scope: Scope, field: str, ids: list[int]) -> dict[int, int]:
    """人 per org id in ``field`` (organizer or participant union) among ``ids``: distinct people
    over their person-month rows inside the scope."""
    rows = PersonMonth.objects.filter(scope.rollup_q(), **{f"{field}__in": ids}).values_list(field)
    return dict(rows.annotate(n=Count("person_id", distinct=True)))


def _counted_people(group: str, **counter: Any) -> dict[int, int]:
    """People counters (``PeopleCount``, summed over their shards) per ``group`` column."""
    return dict(PeopleCount.objects.filter(**counter).values_list(group).annotate(n=Sum("people")).order_by())


def _own_people(scope: Scope, organizers: list[tuple[int, int]], year: int) -> dict[int, int]:
    """人 of each organizer's own activities in the scope's year: its own counter, which counts
    the whole year wherever the organizer stood. When an organizer's 人次 in the scope is less
    than its year's own 人次 (it moved into or out of the subtree during the year), its people are
    counted from its person-month rows inside the scope instead."""
    ids = [k for k, _ in organizers]
    own_rows = Tally.objects.filter(
        node_id__in=ids, kind=Tally.Kind.BY_ORGANIZER, period=scope.period.first, activity_type=PersonYear.ALL_TYPES, item=F("node_id")
    )
    whole_year = dict(own_rows.values_list("node_id", "checkins"))
    partly = [k for k, n in organizers if whole_year.get(k) != n]
    people = _counted_people(
        "org_id", org_id__in=[k for k in ids if k not in partly], year=year, activity_type=PersonYear.ALL_TYPES, kind=PersonYear.Kind.OWN
    )
    if partly:
        people |= _distinct_people(scope, "organizer_id", partly)
    return people


def _participant_people(scope: Scope, porg: list[tuple[int, int]]) -> dict[int, int]:
    """人 of each listed participant union in the scope: for a whole calendar year of every type,
    the scope node's counters for those unions; else distinct people over their person-month
    rows (read by union and month)."""
    ids = [p for p, _ in porg]
    year = scope.counted_year
    if year is None:
        return _distinct_people(scope, "person_org_id", ids)
    return _counted_people("item", org_id=scope.org_id, year=year, activity_type=PersonYear.ALL_TYPES, kind=PersonYear.Kind.PARTICIPANT, item__in=ids)


def _top_from_rollups(scope: Scope) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[int, int]]:
    """The organizer and participant lists for any period and type, from the rollup rows below
    the scope: (organizers, participant unions) as (org id, 人次), and the organizers' 人."""
    rq = scope.rollup_q()
    org_att: dict[int, int] = defaultdict(int)
    for org_id, n in AttendanceRollup.objects.filter(rq).values_list("organizer_id").annotate(n=Sum("checkins")):
        org_att[org_id] += n
    for org_id, n in WalkInRollup.objects.filter(rq).values_list("organizer_id").annotate(n=Sum("walkins")):
        org_att[org_id] += n
    top_orgs = sorted(org_att, key=lambda k: (-org_att[k], k))[:TOP]
    org_people = _distinct_people(scope, "organizer_id", top_orgs)
    porg = list(AttendanceRollup.objects.filter(rq).values_list("person_org_id").annotate(n=Sum("checkins")).order_by("-n", "person_org_id")[:TOP])
    return [(k, org_att[k]) for k in top_orgs], porg, org_people


@dataclass
class Dashboard:
    figures: Figures
    months: list[dict[str, Any]]
    by_type: list[dict[str, Any]]
    by_child: list[dict[str, Any]]
    by_organizer: list[dict[str, Any]]
    by_person_org: list[dict[str, Any]]
    chart: dict[str, Any] = field(default_factory=dict)


def latest_year(org: Org) -> int | None:
    """The latest year up to now with attendance organized in ``org``'s subtree: the dashboard's
    default period, so a union whose last activities were years ago still opens on figures."""
    this_month = timezone.localdate().replace(day=1)
    month = Tally.objects.filter(node_id=org.pk, kind=Tally.Kind.BY_CHILD, period__lte=this_month).aggregate(m=Max("period"))["m"]
    return month.year if month else None


def dashboard(org: Org, period: Period, activity_type_id: int | None = None) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries whatever the data."""
    scope = Scope.of(org, period, activity_type_id)
    now = timezone.now()
    by_child = _by_child(scope)
    figs = _figures(scope, by_child, now)

    # Held sessions are a small table, grouped in Python.
    sessions = list(
        _held_sessions(scope, now)
        .annotate(m=TruncMonth("starts_at", output_field=DateField()))
        .values("m", "activity__activity_type_id", "activity__organizer_path")
        .annotate(n=Count("id"))
    )
    month_att: dict[dt.date, int] = defaultdict(int)
    type_att: dict[int, int] = defaultdict(int)
    child_att: dict[int | None, int] = defaultdict(int)
    for month, type_id, child, n in by_child[0]:
        month_att[month] += n
        type_att[type_id] += n
        child_att[child or None] += n
    month_sess: dict[dt.date, int] = defaultdict(int)
    type_sess: dict[int, int] = defaultdict(int)
    org_sess: dict[int, int] = defaultdict(int)
    child_sess: dict[int | None, int] = defaultdict(int)
    for s in sessions:
        month_sess[s["m"]] += s["n"]
        type_sess[s["activity__activity_type_id"]] += s["n"]
        org_sess[_org_id(s["activity__organizer_path"])] += s["n"]
        child_sess[_child_of(s["activity__organizer_path"], scope.prefixes)] += s["n"]
    months = [{"month": m, "attendance": month_att.get(m, 0), "sessions": month_sess.get(m, 0)} for m in period.months()]
    types = {t.pk: t.name for t in ActivityType.objects.all()}
    by_type = [
        {"type": name, "attendance": type_att.get(pk, 0), "sessions": type_sess.get(pk, 0)}
        for pk, name in types.items()
        if type_att.get(pk) or type_sess.get(pk)
    ]

    # The organizer and participant lists: from the yearly tallies and counters when the period
    # is one calendar year of every type (the dashboard's default), else from the rollups.
    year = scope.counted_year
    if year is not None:
        organizers, porg = _top(scope, Tally.Kind.BY_ORGANIZER), _top(scope, Tally.Kind.BY_PARTICIPANT)
        org_people = _own_people(scope, organizers, year)
    else:
        organizers, porg, org_people = _top_from_rollups(scope)
    porg_people = _participant_people(scope, porg)
    children = list(org.children.order_by("path").values_list("pk", "name"))
    names = dict(
        Org.objects.filter(pk__in={*(k for k, _ in organizers), *(p for p, _ in porg), *(k for k in child_att if k)}).values_list("pk", "name")
    )
    names |= dict(children)

    child_ids = [pk for pk, _ in children] + [k for k in {*child_att, *child_sess} if k and k not in dict(children)]
    by_child = [{"org": org.name, "own": True, "attendance": child_att.get(None, 0), "sessions": child_sess.get(None, 0)}]
    by_child += [{"org": names.get(k, "—"), "own": False, "attendance": child_att.get(k, 0), "sessions": child_sess.get(k, 0)} for k in child_ids]
    by_organizer = [
        {"org": names.get(k, "—"), "attendance": n, "people": org_people.get(k, 0), "sessions": org_sess.get(k, 0)} for k, n in organizers
    ]
    by_person_org = [{"org": names.get(k, "—"), "attendance": n, "people": porg_people.get(k, 0)} for k, n in porg]
    chart = {
        "months": [m["month"].strftime("%Y-%m") for m in months],
        "month_attendance": [m["attendance"] for m in months],
        "month_sessions": [m["sessions"] for m in months],
        "types": [t["type"] for t in by_type],
        "type_attendance": [t["attendance"] for t in by_type],
        "type_sessions": [t["sessions"] for t in by_type],
        "children": [c["org"] for c in by_child],
        "child_attendance": [c["attendance"] for c in by_child],
        "child_sessions": [c["sessions"] for c in by_child],
    }
    return Dashboard(figs, months, by_type, by_child, by_organizer, by_person_org, chart)


# --- the same figures from the raw records (tests, ``recount_rollups --verify``) -------------


def recount(scope: Scope, *, now: dt.datetime | None = None) -> dict[str, int]:
    """期 / 场次 / 人次 / 人 straight from activities, sessions, check-ins and walk-ins."""
    now = now or timezone.now()
    p = scope.period
    cq = scope.path_q("organizer_path") & Q(checked_at__gte=p.start, checked_at__lt=p.end)
    wq = scope.path_q("organizer_path") & Q(recorded_at__gte=p.start, recorded_at__lt=p.end)
    if scope.activity_type_id:
        cq &= Q(activity_type_id=scope.activity_type_id)
        wq &= Q(session__activity__activity_type_id=scope.activity_type_id)
    checkins = CheckIn.objects.filter(cq)
    return {
        "activities": _counted_activities(scope, now).count(),
        "sessions": _held_sessions(scope, now).count(),
        "attendance": checkins.count() + (WalkIn.objects.filter(wq).aggregate(n=Sum("count"))["n"] or 0),
        "people": checkins.values("person_id").distinct().count(),
    }


def as_dict(f: Figures) -> dict[str, int]:
    return {"activities": f.activities, "sessions": f.sessions, "attendance": f.attendance, "people": f.people}


# --- campaigns -------------------------------------------------------------------------------


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """Campaigns launched in the user's scope, and those setting a target for a union in it."""
    from gonghui.orgs import policy

    targeted = CampaignTarget.objects.filter(policy.scope_q(user, "view", field="org__path")).values("campaign_id")
    q = policy.scope_q(user, "view", field="org__path") | Q(pk__in=targeted)
    return Campaign.objects.filter(q).select_related("org", "activity_type")


def campaigns_in(user: Any, org: Org) -> QuerySet[Campaign]:
    """Visible campaigns launched in ``org``'s subtree or targeting a union in it."""
    targeted = CampaignTarget.objects.filter(prefix_q("org__path", org.path)).values("campaign_id")
    return campaigns_visible_to(user).filter(prefix_q("org__path", org.path) | Q(pk__in=targeted))


def get_campaign_for_user(user: Any, pk: Any) -> Campaign:
    from django.http import Http404

    c = campaigns_visible_to(user).filter(pk=pk if str(pk).isdigit() else -1).first()
    if c is None:
        raise Http404
    return c


def campaign_progress(campaign: Campaign) -> list[dict[str, Any]]:
    """Target vs done per sub-org with a target, in the campaign's unit. Done counts the
    campaign's tagged activities organized in the sub-org's subtree (at their moment), within
    the campaign's dates, with the same counting as the dashboard."""
    now = timezone.now()
    start = timezone.make_aware(dt.datetime.combine(campaign.starts_on, dt.time.min))
    end = min(timezone.make_aware(dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min)), now)
    targets = list(campaign.targets.select_related("org").order_by("org__path"))
    rows = []
    # One query for the campaign's facts, attributed to the targets in Python: targets are few.
    if campaign.unit == Campaign.Unit.ATTENDANCE:
        facts = [
            *CheckIn.objects.filter(activity__campaign=campaign, checked_at__gte=start, checked_at__lt=end)
            .values_list("organizer_path")
            .annotate(n=Count("id")),
            *WalkIn.objects.filter(session__activity__campaign=campaign, recorded_at__gte=start, recorded_at__lt=end)
            .values_list("organizer_path")
            .annotate(n=Sum("count")),
        ]
    elif campaign.unit == Campaign.Unit.SESSIONS:
        facts = list(
            Session.objects.filter(
                activity__campaign=campaign, activity__status__in=COUNTED, is_cancelled=False, starts_at__gte=start, starts_at__lt=end
            )
            .values_list("activity__organizer_path")
            .annotate(n=Count("id"))
        )
    else:
        first = Min("sessions__starts_at", filter=Q(sessions__is_cancelled=False))
        facts = [
            (a.organizer_path, 1)
            for a in Activity.objects.filter(campaign=campaign, status__in=COUNTED).annotate(first=first).filter(first__gte=start, first__lt=end)
        ]
    prefixes = {t.org_id: subtree_prefixes(t.org) for t in targets}
    for t in targets:
        done = sum(n for path, n in facts if any(path.startswith(p) for p in prefixes[t.org_id]))
        rows.append(
            {"target": t, "org": t.org, "goal": t.target, "done": done, "percent": min(100, round(100 * done / t.target)) if t.target else 100}
        )
    return rows


# --- alliances -------------------------------------------------------------------------------


def alliance_activity_figures(alliance: Any) -> dict[str, int]:
    """期 and 人次 of the alliance's own activities (Activity.alliance), all time."""
    now = timezone.now()
    first = Min("sessions__starts_at", filter=Q(sessions__is_cancelled=False))
    activities = Activity.objects.filter(alliance=alliance, status__in=COUNTED).annotate(first=first).filter(first__lt=now).count()
    checkins = CheckIn.objects.filter(activity__alliance=alliance).count()
    walkins = WalkIn.objects.filter(session__activity__alliance=alliance).aggregate(n=Sum("count"))["n"] or 0
    return {"activities": activities, "participations": checkins + walkins}
