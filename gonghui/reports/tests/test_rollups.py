from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityType, CheckIn, Session, WalkIn
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org
from gonghui.people import services as people_services
from gonghui.reports import queries, services
from gonghui.reports.models import AttendanceRollup, PeopleCount, PersonMonth, PersonYear, Tally, WalkInRollup
from gonghui.reports.queries import Period, Scope
from tests.factories import L, make_org, make_person, make_user

from .helpers import at, check_in, make_activity, make_session, walk_in

NOW = at(2026, 11, 20, 12)


def oracle(org: Any, period: Period, type_id: int | None, now: dt.datetime) -> dict[str, int]:
    """An independent recount in Python over every raw row: a fact is in ``org``'s subtree when
    the org's id is on the path the fact recorded (paths are made of ids)."""
    mark = f"/{org.pk}/"

    def month_ok(t: dt.datetime) -> bool:
        m = timezone.localtime(t).date().replace(day=1)
        return period.first <= m <= period.last

    def type_ok(tid: int) -> bool:
        return type_id is None or tid == type_id

    checkins = [c for c in CheckIn.objects.all() if mark in c.organizer_path and month_ok(c.checked_at) and type_ok(c.activity_type_id)]
    walkins = [
        w
        for w in WalkIn.objects.select_related("session__activity")
        if mark in w.organizer_path and month_ok(w.recorded_at) and type_ok(w.session.activity.activity_type_id)
    ]
    counted = {s.value for s in (Activity.Status.PUBLISHED, Activity.Status.REGISTERING, Activity.Status.ONGOING, Activity.Status.FINISHED)}
    sessions = [
        s
        for s in Session.objects.select_related("activity")
        if not s.is_cancelled
        and s.activity.status in counted
        and mark in s.activity.organizer_path
        and type_ok(s.activity.activity_type_id)
        and s.starts_at < now
        and month_ok(s.starts_at)
    ]
    firsts: dict[int, dt.datetime] = {}
    for s in Session.objects.select_related("activity").filter(is_cancelled=False):
        if s.activity.status in counted and mark in s.activity.organizer_path and type_ok(s.activity.activity_type_id):
            firsts[s.activity_id] = min(firsts.get(s.activity_id, s.starts_at), s.starts_at)
    return {
        "activities": sum(1 for t in firsts.values() if t < now and month_ok(t)),
        "sessions": len(sessions),
        "attendance": len(checkins) + sum(w.count for w in walkins),
        "people": len({c.person_id for c in checkins}),
    }


def oracle_lists(org: Any, period: Period, type_id: int | None) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The dashboard's organizer and participant lists recounted from the raw rows: (name, 人次,
    人), most 人次 first, then by org id; walk-ins count for their organizer only."""
    mark = f"/{org.pk}/"

    def ok(path: str, t: dt.datetime, tid: int) -> bool:
        m = timezone.localtime(t).date().replace(day=1)
        return mark in path and period.first <= m <= period.last and (type_id is None or tid == type_id)

    checkins = [c for c in CheckIn.objects.all() if ok(c.organizer_path, c.checked_at, c.activity_type_id)]
    walkins = [
        w for w in WalkIn.objects.select_related("session__activity") if ok(w.organizer_path, w.recorded_at, w.session.activity.activity_type_id)
    ]
    names = dict(Org.objects.values_list("pk", "name"))

    def ranked(att: dict[int, int], people: dict[int, set[int]]) -> list[tuple[str, int, int]]:
        return [(names[k], att[k], len(people.get(k, ()))) for k in sorted(att, key=lambda k: (-att[k], k))[: queries.TOP]]

    org_att: dict[int, int] = {}
    org_people: dict[int, set[int]] = {}
    porg_att: dict[int, int] = {}
    porg_people: dict[int, set[int]] = {}
    for c in checkins:
        org_att[c.organizer_id] = org_att.get(c.organizer_id, 0) + 1
        org_people.setdefault(c.organizer_id, set()).add(c.person_id)
        porg_att[c.person_org_id] = porg_att.get(c.person_org_id, 0) + 1
        porg_people.setdefault(c.person_org_id, set()).add(c.person_id)
    for w in walkins:
        org_id = w.session.activity.organizer_id
        org_att[org_id] = org_att.get(org_id, 0) + w.count
    return ranked(org_att, org_people), ranked(porg_att, porg_people)


def test_it_counts_a_checkin_and_refuses_a_rescan(world: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        a = make_activity(world.unit_a1)
        s = make_session(a, at(2026, 3, 5))
        assert check_in(s, world.people["own"]) is not None
        assert check_in(s, world.people["own"]) is None  # re-scan: the unique constraint refuses it
        check_in(s, world.people["sibling"])
        walk_in(s, 7)
        f = queries.figures(Scope.of(world.city_a1, Period.year(2026)))
    assert queries.as_dict(f) == {"activities": 1, "sessions": 1, "attendance": 9, "people": 2}
    assert f.as_of == NOW
    assert f.last_change == NOW
    assert list(AttendanceRollup.objects.order_by("person_org_path").values_list("person_org_id", "checkins")) == [
        (world.unit_a1.pk, 1),
        (world.unit_a2.pk, 1),
    ]
    assert list(WalkInRollup.objects.values_list("organizer_id", "walkins", "month")) == [(world.unit_a1.pk, 7, dt.date(2026, 3, 1))]
    assert PersonMonth.objects.count() == 2
    # 人 per node and year: both people under each of the 4 nodes on the organizer's path, for
    # the activity's type and for every type (0); the re-scan added nothing
    tid = ActivityType.objects.get(code="film").pk
    nodes = [world.root.pk, world.prov_a.pk, world.city_a1.pk, world.unit_a1.pk]
    # (16), in the organizer's own count (2) and in each union's count under every node (4 × 2)
    assert PersonYear.objects.count() == 26
    own, sibling = world.people["own"], world.people["sibling"]
    kind = PersonYear.Kind
    assert sorted(PersonYear.objects.exclude(kind=kind.SUBTREE).values_list("org_id", "kind", "item", "person_id")) == sorted(
        [
            *((world.unit_a1.pk, kind.OWN, 0, p.pk) for p in (own, sibling)),
            *((n, kind.PARTICIPANT, p.org_id, p.pk) for n in nodes for p in (own, sibling)),
        ]
    )
    shards = sorted({p.pk % PeopleCount.SHARDS for p in (own, sibling)})
    per_shard = 2 // len(shards)  # the two people share a shard row or have one each
    assert sorted(PeopleCount.objects.values_list("org_id", "year", "activity_type", "kind", "item", "shard", "people")) == sorted(
        [
            *((n, 2026, t, kind.SUBTREE, 0, s, per_shard) for n in nodes for t in (tid, 0) for s in shards),
            *((world.unit_a1.pk, 2026, 0, kind.OWN, 0, s, per_shard) for s in shards),
            *((n, 2026, 0, kind.PARTICIPANT, p.org_id, p.pk % PeopleCount.SHARDS, 1) for n in nodes for p in (own, sibling)),
        ]
    )
    # 人次 per node of the path: by child (check-ins and walk-ins) and by organizer, 9 each; by
    # participant union (check-ins only), 1 each for the two unions
    march, year = dt.date(2026, 3, 1), dt.date(2026, 1, 1)
    child = dict(zip(nodes, [*nodes[1:], 0], strict=True))
    assert sorted(Tally.objects.values_list("node_id", "kind", "period", "activity_type", "item", "checkins")) == sorted(
        [
            *((n, Tally.Kind.BY_CHILD, march, tid, child[n], 9) for n in nodes),
            *((n, Tally.Kind.BY_ORGANIZER, year, 0, world.unit_a1.pk, 9) for n in nodes),
            *((n, Tally.Kind.BY_PARTICIPANT, year, 0, u.pk, 1) for n in nodes for u in (world.unit_a1, world.unit_a2)),
        ]
    )


def test_the_as_of_time_is_taken_when_the_rollup_is_written_not_when_it_was_prepared(world: Any) -> None:
    """The check-in prepares its rollup before waiting for the write lock; "as of" must still
    follow commit order, or a write that waited would set an older time than one before it."""
    later = NOW + dt.timedelta(seconds=3)
    with time_machine.travel(NOW, tick=False):
        s = make_session(make_activity(world.unit_a1), at(2026, 3, 5))
        check_in(s, world.people["own"])  # creates every row the second check-in updates
        c = CheckIn.objects.get()
        c.pk, c.person = None, world.people["sibling"]
        c.person_org, c.person_org_path = world.unit_a1, world.unit_a1.path
        c.save()
        rollup = services.CheckinRollup(c)
    with time_machine.travel(later, tick=False), transaction.atomic(), connection.cursor() as cur:
        rollup.write(cur)
    assert set(Tally.objects.values_list("updated_at", flat=True)) == {later}
    assert list(AttendanceRollup.objects.values_list("updated_at", flat=True)) == [later]
    assert Tally.objects.filter(kind=Tally.Kind.BY_CHILD, node=world.root).values_list("checkins", flat=True).get() == 2


def test_it_takes_the_month_in_china_time(world: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        s = make_session(make_activity(world.unit_a1), at(2026, 3, 31, 23))
        check_in(s, world.people["own"], at(2026, 4, 1, 0))  # 2026-03-31 16:00 UTC
        f = queries.figures(Scope.of(world.unit_a1, Period(dt.date(2026, 4, 1), dt.date(2026, 4, 1))))
    assert queries.as_dict(f) == {"activities": 0, "sessions": 0, "attendance": 1, "people": 1}


@pytest.mark.parametrize("seed", [1, 2])
def test_it_equals_a_recount_after_random_checkins_a_move_and_a_transfer(world: Any, seed: int) -> None:
    rnd = random.Random(seed)
    w = world
    town = make_org(w.city_a1, "庐阳区总工会", L.COUNTY)
    unit_t = make_org(town, "庐阳丁公司工会", L.GRASSROOTS)
    orgs = [w.unit_a1, w.unit_a2, w.unit_b, w.city_a1, town, unit_t]
    people = [make_person(rnd.choice(orgs), f"参与者{i}") for i in range(14)]
    types = list(ActivityType.objects.order_by("id").values_list("code", flat=True)[:3])
    with time_machine.travel(NOW, tick=False):

        def random_round(n_activities: int, months: list[int]) -> None:
            for _ in range(n_activities):
                status = rnd.choice(["finished", "finished", "ongoing", "cancelled", "draft"])
                a = make_activity(rnd.choice(orgs), type_code=rnd.choice(types), status=status)
                for _ in range(rnd.randint(1, 3)):
                    start = at(2026, rnd.choice(months), rnd.randint(1, 28), rnd.choice([0, 9, 23]))
                    s = make_session(a, start, cancelled=rnd.random() < 0.15)
                    for p in rnd.sample(people, rnd.randint(0, 8)):
                        check_in(s, p, start + dt.timedelta(minutes=rnd.randint(0, 120)))
                        if rnd.random() < 0.3:
                            assert check_in(s, p) is None  # re-scan refused, nothing counted
                    if rnd.random() < 0.4:
                        walk_in(s, rnd.randint(1, 20))

        random_round(10, [1, 2, 3, 4, 5, 6])
        city_before = queries.as_dict(queries.figures(Scope.of(w.city_a1, Period.year(2026))))
        town_before = queries.as_dict(queries.figures(Scope.of(town, Period.year(2026))))
        # The county union moves to the other city; a participant transfers to another province.
        org_services.org_move(actor=None, org=town, new_parent=w.city_a2, reason="区划调整")
        mover = next(p for p in people if p.org_id in (w.unit_a1.pk, unit_t.pk))
        tr = people_services.transfer_request(actor=make_user("req"), id_number=mover.id_number(), to_org=w.unit_b)
        people_services.transfer_decide(actor=make_user("dec"), transfer=tr, approve=True)
        town.refresh_from_db()
        # Figures of what already happened survive the move, for the city and the moved union.
        assert queries.as_dict(queries.figures(Scope.of(w.city_a1, Period.year(2026)))) == city_before
        assert queries.as_dict(queries.figures(Scope.of(town, Period.year(2026)))) == town_before
        random_round(8, [7, 8, 9, 10, 11, 12])
        # Cancellations after the fact: 期 and 场次 drop them; the check-ins already made still count.
        Session.objects.filter(pk=rnd.choice(list(Session.objects.values_list("pk", flat=True)))).update(is_cancelled=True)
        Activity.objects.filter(pk=rnd.choice(list(Activity.objects.values_list("pk", flat=True)))).update(status="cancelled")

        periods = [Period.year(2026), Period(dt.date(2026, 3, 1), dt.date(2026, 8, 1)), Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1))]
        type_ids = [None, *ActivityType.objects.filter(code__in=types[:2]).values_list("id", flat=True)]
        checked = 0
        for org in [w.root, w.prov_a, w.city_a1, w.city_a2, town, unit_t, w.unit_a1, w.prov_b]:
            org.refresh_from_db()
            for period in periods:
                for tid in type_ids:
                    scope = Scope.of(org, period, tid)
                    got = queries.as_dict(queries.figures(scope))
                    assert got == oracle(org, period, tid, NOW), (org.name, period, tid)
                    assert got == queries.recount(scope, now=NOW), (org.name, period, tid)
                    # The lists: from the yearly tallies for a whole year of every type, else from the rollups
                    board = queries.dashboard(org, period, tid)
                    lists = (
                        [(r["org"], r["attendance"], r["people"]) for r in board.by_organizer],
                        [(r["org"], r["attendance"], r["people"]) for r in board.by_person_org],
                    )
                    assert lists == oracle_lists(org, period, tid), (org.name, period, tid)
                    assert board.figures.attendance == got["attendance"] == sum(c["attendance"] for c in board.by_child)
                    checked += 1
        assert checked == 72
        total = oracle(w.root, Period.year(2026), None, NOW)
        assert total["attendance"] > 30 and total["people"] > 5  # the random rounds did write facts

        out = StringIO()
        call_command("recount_rollups", "--verify", stdout=out)
        assert out.getvalue().strip().endswith("differences: 0")
        before = queries.as_dict(queries.figures(Scope.of(w.prov_a, Period.year(2026))))
        call_command("recount_rollups", stdout=StringIO())
        assert queries.as_dict(queries.figures(Scope.of(w.prov_a, Period.year(2026)))) == before


def test_an_organizer_that_moved_during_the_year_lists_only_its_people_inside_the_scope(world: Any) -> None:
    """The organizer list's 人 for a year: an organizer's own counter covers its whole year, so
    one that moved between two subtrees in that year is counted from its rows in the scope."""
    w = world
    town = make_org(w.city_a1, "庐阳区总工会", L.COUNTY)
    unit_t = make_org(town, "庐阳丁公司工会", L.GRASSROOTS)
    before = [make_person(w.unit_a1, f"搬前{i}") for i in range(3)]
    after = [make_person(w.unit_a1, f"搬后{i}") for i in range(2)]
    with time_machine.travel(NOW, tick=False):
        s1 = make_session(make_activity(unit_t), at(2026, 3, 5))
        for p in before:
            check_in(s1, p)
        org_services.org_move(actor=None, org=town, new_parent=w.city_a2, reason="区划调整")
        unit_t.refresh_from_db()
        s2 = make_session(make_activity(unit_t), at(2026, 9, 5))
        for p in [*after, before[0]]:
            check_in(s2, p)
        lists = {
            org.name: [(r["org"], r["attendance"], r["people"]) for r in queries.dashboard(org, Period.year(2026)).by_organizer]
            for org in (w.city_a1, w.city_a2, w.root, unit_t)
        }
    assert lists == {
        "合肥市总工会": [("庐阳丁公司工会", 3, 3)],
        "芜湖市总工会": [("庐阳丁公司工会", 3, 3)],
        "中华全国总工会": [("庐阳丁公司工会", 6, 5)],
        "庐阳丁公司工会": [("庐阳丁公司工会", 6, 5)],
    }
    assert lists == {org.name: oracle_lists(org, Period.year(2026), None)[0] for org in (w.city_a1, w.city_a2, w.root, unit_t)}


def test_it_reports_a_difference_when_a_rollup_drifts(world: Any) -> None:
    s = make_session(make_activity(world.unit_a1), at(2026, 3, 5))
    check_in(s, world.people["own"])
    AttendanceRollup.objects.update(checkins=5)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("recount_rollups", "--verify", stdout=out)
    assert "differences: 1" in out.getvalue()
    call_command("recount_rollups", stdout=StringIO())
    assert list(AttendanceRollup.objects.values_list("checkins", flat=True)) == [1]


def test_it_reports_a_drifted_people_counter_and_rebuilds_it(world: Any) -> None:
    s = make_session(make_activity(world.unit_a1), at(2026, 3, 5))
    check_in(s, world.people["own"])
    PeopleCount.objects.filter(org=world.city_a1, activity_type=0, kind=PersonYear.Kind.SUBTREE).update(people=3)  # one shard: one person
    PersonYear.objects.filter(org=world.root, activity_type=0, kind=PersonYear.Kind.SUBTREE).delete()
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("recount_rollups", "--verify", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "differences: 2"
    assert lines[0] == f"年度人 ({world.root.pk}, 2026, 0, 0, 0, {world.people['own'].pk}): 汇总缺少"
    assert lines[1] == f"年度人数 ({world.city_a1.pk}, 2026, 0, 0, 0): 汇总 3 ≠ 原始 1"
    call_command("recount_rollups", stdout=StringIO())
    assert PeopleCount.objects.get(org=world.city_a1, activity_type=0, kind=PersonYear.Kind.SUBTREE).people == 1
    assert queries.figures(Scope.of(world.root, Period.year(2026))).people == 1


def test_a_check_in_just_after_midnight_on_new_years_day_counts_in_the_new_year(world: Any) -> None:
    """2027-01-01 00:30 in China is 2026-12-31 16:30 UTC: the person counts in 2027 only."""
    with time_machine.travel(at(2027, 1, 2), tick=False):
        s = make_session(make_activity(world.unit_a1), at(2026, 12, 31, 20))
        check_in(s, world.people["own"], at(2026, 12, 31, 23) + dt.timedelta(minutes=50))
        check_in(s, world.people["sibling"], at(2027, 1, 1, 0) + dt.timedelta(minutes=30))
        got = {(org.name, y): queries.figures(Scope.of(org, Period.year(y))).people for org in (world.root, world.unit_a1) for y in (2026, 2027)}
        oracle_people = {
            (org.name, y): oracle(org, Period.year(y), None, at(2027, 1, 2))["people"] for org in (world.root, world.unit_a1) for y in (2026, 2027)
        }
    assert (
        got == oracle_people == {("中华全国总工会", 2026): 1, ("中华全国总工会", 2027): 1, ("合肥甲公司工会", 2026): 1, ("合肥甲公司工会", 2027): 1}
    )
    assert sorted(
        PersonYear.objects.filter(org=world.root, activity_type=0, kind=PersonYear.Kind.SUBTREE).values_list("year", "person_id")
    ) == sorted([(2026, world.people["own"].pk), (2027, world.people["sibling"].pk)])


def test_the_backfill_migration_counts_what_was_recorded_before_it(world: Any) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from gonghui.reports import rebuild

    backfill_0003 = importlib.import_module("gonghui.reports.migrations.0003_people_per_year_backfill").backfill
    backfill_0006 = importlib.import_module("gonghui.reports.migrations.0006_tally_and_people_by_kind_backfill").backfill
    with time_machine.travel(NOW, tick=False):
        for month in (3, 5):
            s = make_session(make_activity(world.unit_a1, type_code="film"), at(2026, month, 5))
            for key in ("own", "sibling"):
                check_in(s, world.people[key])
            walk_in(s, month)
        s = make_session(make_activity(world.unit_b), at(2025, 7, 1))
        check_in(s, world.people["own"], at(2025, 7, 1, 10))
    live = sorted(PeopleCount.objects.values_list("org_id", "year", "activity_type", "kind", "item", "shard", "people"))
    live_tally = sorted(Tally.objects.values_list("node_id", "kind", "period", "activity_type", "item", "checkins"))
    assert len(live_tally) == 29  # 2025: 3 nodes × 3 kinds; 2026: 4 nodes × (2 months by child + organizer + 2 participant unions)
    for model in (PersonYear, PeopleCount, Tally):
        model.objects.all().delete()
    backfill_0003(None, SimpleNamespace(connection=connection))
    backfill_0006(apps, SimpleNamespace(connection=connection))
    assert sorted(PeopleCount.objects.values_list("org_id", "year", "activity_type", "kind", "item", "shard", "people")) == live
    assert sorted(Tally.objects.values_list("node_id", "kind", "period", "activity_type", "item", "checkins")) == live_tally
    assert rebuild.differences() == []


def test_it_counts_alliance_activities(world: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        a = make_activity(world.unit_a1, alliance=world.alliance)
        s = make_session(a, at(2026, 3, 5))
        check_in(s, world.people["own"])
        check_in(s, world.people["sibling"])
        walk_in(s, 3)
        make_session(make_activity(world.unit_a1, alliance=world.alliance, status="cancelled"), at(2026, 3, 6))
        check_in(make_session(make_activity(world.unit_a1), at(2026, 3, 7)), world.people["own"])
        assert queries.alliance_activity_figures(world.alliance) == {"activities": 1, "participations": 5}
