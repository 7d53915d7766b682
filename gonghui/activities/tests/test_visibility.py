from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.activities import queries
from gonghui.activities.models import Activity
from gonghui.activities.tests.helpers import make_activity
from tests.factories import make_person, make_user

S = Activity.Status


@pytest.fixture
def users(world):
    w = world
    return w.users | {
        "unit_cadre": make_user("unit_cadre", "cadre", org=w.unit_a1),
        "unit_viewer": make_user("unit_viewer", "viewer", org=w.unit_a1),
        "prov_cadre": make_user("prov_cadre", "cadre", org=w.prov_a),
        "sibling_cadre": make_user("sibling_cadre", "cadre", org=w.city_a2),
        "b_cadre": make_user("b_cadre", "cadre", org=w.prov_b),
        "b_worker": make_user("b_worker", "worker", person=w.people["other"]),
        "sibling_worker": make_user("sibling_worker", "worker", person=make_person(w.unit_a2, "乙")),
    }


def readers(users, activity) -> set[str]:
    return {name for name, u in users.items() if queries.activities_visible_to(u).filter(pk=activity.pk).exists()}


def test_it_shows_a_draft_only_to_users_whose_scope_contains_the_organizer(world, users) -> None:
    draft = make_activity(world.city_a1, status=S.DRAFT)
    assert readers(users, draft) == {"fed_admin", "org_admin", "cadre", "viewer", "prov_cadre"}


@pytest.mark.parametrize("status", [S.PUBLISHED, S.REGISTERING, S.ONGOING, S.FINISHED])
def test_it_shows_a_published_activity_to_its_audience_down_and_up_the_tree(world, users, status) -> None:
    a = make_activity(world.city_a1, status=status)
    assert readers(users, a) == {"fed_admin", "org_admin", "cadre", "viewer", "prov_cadre", "unit_cadre", "unit_viewer", "worker"}


def test_it_shows_a_cancelled_activity_only_to_the_organizer_side(world, users) -> None:
    a = make_activity(world.city_a1, status=S.CANCELLED)
    assert readers(users, a) == {"fed_admin", "org_admin", "cadre", "viewer", "prov_cadre"}


def test_it_shows_an_alliance_activity_to_its_coordinator_and_every_member_union(world, users) -> None:
    a = make_activity(world.city_a1, status=S.PUBLISHED, alliance=world.alliance)
    assert readers(users, a) == {
        "fed_admin", "org_admin", "cadre", "viewer", "prov_cadre", "unit_cadre", "unit_viewer", "worker", "coord", "sibling_cadre", "sibling_worker"
    }  # fmt: skip
    draft = make_activity(world.city_a1, status=S.DRAFT, alliance=world.alliance)
    assert readers(users, draft) == {"fed_admin", "org_admin", "cadre", "viewer", "prov_cadre"}


def test_it_answers_404_outside_visibility_and_403_without_operate_on_the_organizer(world, users) -> None:
    a = make_activity(world.city_a1, status=S.PUBLISHED)
    assert queries.get_activity_for_user(users["cadre"], a.pk, action="operate") == a
    for name in ("viewer", "unit_cadre", "worker"):
        assert queries.get_activity_for_user(users[name], a.pk) == a
        with pytest.raises(PermissionDenied):
            queries.get_activity_for_user(users[name], a.pk, action="operate")
    for name in ("b_cadre", "coord", "sibling_cadre"):
        with pytest.raises(Http404):
            queries.get_activity_for_user(users[name], a.pk, action="view")
    with pytest.raises(Http404):
        queries.get_activity_for_user(users["cadre"], "x1")
