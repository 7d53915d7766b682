"""The rule through the database: successive plans made by the service, fed the ledger it
derives from the turns, with random members, strengths and blackouts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.activities.models import ActivityType
from gonghui.alliances import queries, rotation, services
from gonghui.alliances.models import RotationTurn
from gonghui.lib.errors import ServiceError
from tests.factories import L, make_org

CODES = ["skills", "training", "law"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 5),
    strengths=st.lists(st.lists(st.sampled_from(CODES), max_size=2), min_size=5, max_size=5),
    blackout_days=st.lists(st.one_of(st.none(), st.integers(0, 700)), min_size=5, max_size=5),
    plans=st.lists(
        st.tuples(st.sampled_from(["month", "quarter"]), st.integers(1, 6), st.lists(st.sampled_from(CODES), max_size=2)), min_size=1, max_size=3
    ),
)
def test_it_keeps_the_carried_ledger_balanced_and_honours_blackouts(world, n, strengths, blackout_days, plans) -> None:
    types = {t.code: t for t in ActivityType.objects.filter(code__in=CODES)}
    with transaction.atomic():
        alliance = services.alliance_create(actor=None, host_org=world.city_a1, name="性质测试联盟")
        members = []
        for i in range(n):
            org = make_org(world.city_a1, f"成员{i}工会", L.GRASSROOTS)
            m = services.alliance_member_join(actor=None, alliance=alliance, org=org, joined_on=dt.date(2020, 1, 1))
            services.member_strengths_set(actor=None, member=m, activity_types=[types[c] for c in set(strengths[i])])
            members.append(m)
        use_blackouts = any(d is not None for d in blackout_days[:n])
        for m, day in zip(members, blackout_days, strict=False):
            if day is not None:
                start = dt.date(2025, 1, 1) + dt.timedelta(days=day)
                services.member_blackout_add(actor=None, member=m, starts_on=start, ends_on=start + dt.timedelta(days=20), reason="停产")
        start = dt.date(2025, 1, 1)
        for kind, periods, wanted in plans:
            if kind == "quarter":  # a quarterly plan starts at the next quarter; a gap is fine
                start = rotation.add_months(start, -(start.month - 1) % 3)
            try:
                plan = services.rotation_generate(
                    actor=None, alliance=alliance, start=start, periods=periods, period_kind=kind, wanted_types=[types[c] for c in wanted]
                )
            except ServiceError as e:
                assert e.code == "no_eligible_host" and use_blackouts
                break
            last = plan.turns.order_by("starts_on").last()
            start = last.ends_on + dt.timedelta(days=1)
            if not use_blackouts:
                counts = [queries.hosted_counts(alliance).get(m.pk, (0, None))[0] for m in members]
                assert max(counts) - min(counts) <= 1
        for t in RotationTurn.objects.filter(alliance=alliance).select_related("host"):
            assert not t.host.blackouts.filter(starts_on__lte=t.ends_on, ends_on__gte=t.starts_on).exists()
        transaction.set_rollback(True)
