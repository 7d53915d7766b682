"""A subtree move: current records follow it, facts keep the tree as it was (issue #4 §7)."""

from __future__ import annotations

from typing import Any

from gonghui.activities import checkin
from gonghui.activities.models import Activity, ActivityAudience, CheckIn, WalkIn
from gonghui.activities.tests.helpers import make_activity
from gonghui.orgs import services as org_services
from gonghui.reports import queries as report_queries
from gonghui.reports.models import AttendanceRollup
from gonghui.reports.queries import Period, Scope
from tests.factories import L, make_org, make_person


def test_it_moves_activity_paths_and_keeps_checkin_facts(world: Any) -> None:
    county = make_org(world.city_a1, "肥西县总工会", L.COUNTY)
    unit = make_org(county, "肥西甲公司工会", L.GRASSROOTS)
    person = make_person(unit, "王芳")
    activity = make_activity(county)
    session = activity.sessions.get()
    ci, created = checkin.checkin_record(actor=None, session=session, person=person, method=CheckIn.Method.POSTER, nonce="n-1")
    checkin.walkin_record(actor=None, session=session, count=12)
    before_county, before_unit = county.path, unit.path

    org_services.org_move(actor=None, org=county, new_parent=world.city_a2, reason="区划调整")
    county.refresh_from_db()
    unit.refresh_from_db()

    assert created is True
    assert Activity.objects.get(pk=activity.pk).organizer_path == before_county  # counted where it was held
    assert list(ActivityAudience.objects.filter(activity=activity).values_list("org_path", flat=True)) == [county.path]
    ci.refresh_from_db()
    assert (ci.organizer_path, ci.person_org_path) == (before_county, before_unit)
    assert WalkIn.objects.get(session=session).organizer_path == before_county
    assert list(AttendanceRollup.objects.values_list("organizer_path", "person_org_path")) == [(before_county, before_unit)]
    # The rollups written by the check-in service equal a recount of the raw records.
    # Counted where the organizer stood: city_a1 keeps the 13 人次, city_a2 gains none.
    expected = {"activities": 0, "sessions": 0, "attendance": 13, "people": 1}  # the session lies ahead
    year = Period.year(ci.checked_at.year)
    for org, want in ((world.root, expected), (world.city_a1, expected), (world.city_a2, dict.fromkeys(expected, 0))):
        scope = Scope.of(org, year)
        assert report_queries.as_dict(report_queries.figures(scope)) == want, org.name
        assert report_queries.recount(scope) == want, org.name
