"""Real concurrent requests (threads, each its own connection). On PostgreSQL the session row
lock serialises them; on SQLite the IMMEDIATE transactions do."""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection

from gonghui.activities import services
from gonghui.activities.models import ActivityType, Registration
from gonghui.activities.tests.helpers import make_activity
from gonghui.lib.errors import ServiceError
from tests.factories import make_person

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite in tests shares one in-memory database")


@pytest.fixture
def restore_triggers(django_db_blocker: Any) -> Any:
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as c:
            c.execute("SET session_replication_role = DEFAULT")
        # The flush removed the seeded activity types; tests after this one expect them.
        seed = importlib.import_module("gonghui.activities.migrations.0002_seed_activity_types")
        for i, (code, name) in enumerate(seed.TYPES, start=1):
            ActivityType.objects.get_or_create(code=code, defaults={"name": name, "sort": i * 10})


@pytest.fixture
def racing_db(restore_triggers: Any, transactional_db: Any) -> Any:
    """Committed data the threads can see. The flush after the test would trip the audit
    trail's append-only triggers: they are off for that flush only (set back by restore_triggers)."""
    yield
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")


def run_together(calls: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except ServiceError as e:
            results[i] = e.message
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.usefixtures("racing_db")
def test_it_gives_the_last_seat_to_one_of_two_concurrent_registrations(world) -> None:
    s = make_activity(world.city_a1, capacity=1).sessions.get()
    p1, p2 = make_person(world.unit_a1, "甲"), make_person(world.unit_a1, "乙")
    run_together(
        [
            lambda: services.registration_create(actor=None, session=s, person=p1),
            lambda: services.registration_create(actor=None, session=s, person=p2),
        ]
    )
    assert sorted(Registration.objects.values_list("status", flat=True)) == ["registered", "waitlisted"]


@pytest.mark.usefixtures("racing_db")
def test_it_refuses_the_second_of_two_concurrent_duplicate_registrations(world) -> None:
    s = make_activity(world.city_a1, capacity=5).sessions.get()
    p = make_person(world.unit_a1, "甲")
    results = run_together([lambda: services.registration_create(actor=None, session=s, person=p) for _ in range(2)])
    assert sorted(r if isinstance(r, str) else "ok" for r in results) == ["ok", "「甲」已报名该场次"]
    assert list(Registration.objects.values_list("status", flat=True)) == ["registered"]
