from __future__ import annotations

from gonghui.orgs import policy
from gonghui.orgs.models import Org
from tests.factories import make_user


def test_audience_reads_reach_down_but_not_sideways(world) -> None:
    w = world
    cadre = w.users["cadre"]  # granted on city_a1
    readable = set(Org.objects.filter(policy.audience_q(cadre, field="path")).values_list("name", flat=True))
    # addressed to the province or the root: readable below; to its own subtree: readable;
    # addressed to a sibling city or another province: not readable
    assert readable == {"中华全国总工会", "安徽省总工会", "合肥市总工会", "合肥甲公司工会"}


def test_nested_grants_collapse_to_the_outer_subtree(world) -> None:
    u = make_user("double", "cadre", org=world.city_a1)
    from django.utils import timezone

    from gonghui.accounts.models import RoleGrant

    RoleGrant.objects.create(user=u, role="viewer", org=world.unit_a1, granted_at=timezone.now())
    RoleGrant.objects.create(user=u, role="viewer", org=world.unit_b, granted_at=timezone.now())
    u = type(u).objects.get(pk=u.pk)  # a new request reads the grants afresh
    assert policy.scope_paths(u) == sorted([world.city_a1.path, world.unit_b.path])
    assert policy.user_can(u, "operate", world.unit_a1) is True
    assert policy.user_can(u, "operate", world.unit_b) is False  # viewer there


def test_reveal_needs_the_flag_on_a_grant_covering_the_org(world) -> None:
    assert policy.user_can(world.users["fed_admin"], "reveal", world.unit_a1) is True
    assert policy.user_can(world.users["fed_admin"], "reveal", world.unit_a2) is False
    assert policy.user_can(world.users["org_admin"], "reveal", world.unit_a1) is False


def test_anonymous_and_granteless_users_see_nothing(world) -> None:
    from django.contrib.auth.models import AnonymousUser

    for u in (AnonymousUser(), world.users["nobody"], world.users["coord"], world.users["worker"]):
        assert policy.orgs_user_can(u, "view").count() == 0
