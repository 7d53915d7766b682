"""Property: on any org tree, each cadre sees exactly the subtrees of their grants.

The expected set is computed by walking parent pointers in Python, independent of the
materialized paths and range queries the policy uses.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.accounts.models import RoleGrant
from gonghui.orgs import policy
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org
from gonghui.people import queries as people_queries
from tests.factories import L, make_org, make_person, make_user


@st.composite
def trees(draw: st.DrawFn) -> dict:
    n = draw(st.integers(2, 14))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    people = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=12))
    grants = draw(st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=3), min_size=1, max_size=4))
    moves = draw(st.lists(st.tuples(st.integers(1, n - 1), st.integers(0, n - 1)), max_size=2))
    return {"parents": parents, "people": people, "grants": grants, "moves": moves}


def descendants_by_walk(root_ids: set[int]) -> set[int]:
    parent = dict(Org.objects.values_list("pk", "parent_id"))
    out = set()
    for pk in parent:
        node = pk
        while node is not None:
            if node in root_ids:
                out.add(pk)
                break
            node = parent[node]
    return out


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spec=trees())
def test_each_cadre_sees_exactly_their_subtrees(spec: dict) -> None:
    with transaction.atomic():
        orgs: list[Org] = []
        for i, parent in enumerate(spec["parents"]):
            orgs.append(make_org(orgs[parent] if parent is not None else None, f"工会{i}", L.NATIONAL if parent is None else L.GRASSROOTS))
        # random subtree moves (skipping the ones the service rightly refuses)
        for node, target in spec["moves"]:
            org, dest = Org.objects.get(pk=orgs[node].pk), Org.objects.get(pk=orgs[target].pk)
            if not dest.path.startswith(org.path) and dest.pk != org.parent_id:
                org_services.org_move(actor=None, org=org, new_parent=dest)
        people = [make_person(Org.objects.get(pk=orgs[i].pk), f"人{k}") for k, i in enumerate(spec["people"])]
        for k, nodes in enumerate(spec["grants"]):
            user = make_user(f"cadre{k}")
            for i in nodes:
                RoleGrant.objects.create(user=user, role="cadre", org=orgs[i], granted_at=timezone.now())
            expected_orgs = descendants_by_walk({orgs[i].pk for i in nodes})
            assert set(policy.orgs_user_can(user, "view").values_list("pk", flat=True)) == expected_orgs
            assert {o.pk for o in Org.objects.all() if policy.user_can(user, "view", o)} == expected_orgs
            expected_people = {p.pk for p in people if p.org_id in expected_orgs}
            assert set(people_queries.people_visible_to(user).values_list("pk", flat=True)) == expected_people
            top = Org.objects.get(pk=orgs[0].pk)
            assert {m.person_id for m in people_queries.roll(user, org=top)} == expected_people
            # a viewer grant never gives operate
            assert not policy.user_can(user, "manage", top)
        transaction.set_rollback(True)
