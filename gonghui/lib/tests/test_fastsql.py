"""lib.fastsql: hand-written INSERT and row building give what the ORM gives, on both databases."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from gonghui.accounts.models import RoleGrant
from gonghui.audit.models import AuditEvent
from gonghui.lib import fastsql
from gonghui.orgs.models import Org
from tests.factories import make_org, make_user

T0 = dt.datetime(2026, 5, 14, 9, 30, 15, 123456, tzinfo=dt.UTC)


def test_insert_writes_what_the_orm_reads_back(db) -> None:
    event = AuditEvent(
        at=T0, actor_id=7, action="x.y", target_type="t", target_id=9, org_id=None, org_path="/1/", ip="10.0.0.1", data={"a": [1, "二"]}
    )
    assert fastsql.insert(event) is True
    assert (event._state.adding, event.pk is not None) == (False, True)
    back = AuditEvent.objects.get(pk=event.pk)
    assert (back.at, back.actor_id, back.action, back.target_id, back.org_path, back.ip, back.success, back.data) == (
        T0,
        7,
        "x.y",
        9,
        "/1/",
        "10.0.0.1",
        True,
        {"a": [1, "二"]},
    )
    # stored exactly as an ORM write stores it: a range filter on the column finds it
    assert AuditEvent.objects.filter(at__gte=T0, at__lt=T0 + dt.timedelta(microseconds=1)).count() == 1


def test_insert_ignoring_conflicts_skips_a_row_a_unique_constraint_refuses(db) -> None:
    root = make_org(None, "全国总工会", "national")
    twin = Org(name="重复", parent=root, path="/x/", depth=1, code=root.code, level="province", org_type="federation", region_code="340000")
    assert fastsql.insert(twin, ignore_conflicts=True) is False
    assert (twin.pk, twin._state.adding, Org.objects.count()) == (None, True, 1)


def test_a_prepared_insert_keeps_its_values_until_run_and_takes_a_late_value(db) -> None:
    event = AuditEvent(at=T0, actor_id=7, action="x.y", target_type="t", target_id=None, org_path="/1/", data={"n": 1})
    statement = fastsql.Insert(event)
    event.action = "changed after"  # the values were adapted when the statement was made
    statement.set("target_id", 42)
    assert AuditEvent.objects.count() == 0
    with connection.cursor() as cur:
        assert statement.run(cur) is True
    back = AuditEvent.objects.get()
    assert (back.pk, back.action, back.target_id, back.at, back.data, event.target_id) == (event.pk, "x.y", 42, T0, {"n": 1}, 42)


def test_build_converts_columns_as_the_orm_does(db) -> None:
    city = make_org(make_org(None, "全国总工会", "national"), "合肥市总工会", "prefecture")
    user = make_user("cadre", "cadre", org=city, can_reveal=True)
    grant = RoleGrant.objects.get(user=user)
    n = len(RoleGrant._meta.concrete_fields)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {fastsql.columns(RoleGrant, 'g')}, {fastsql.columns(Org, 'o')} FROM accounts_rolegrant g JOIN orgs_org o ON o.id = g.org_id",  # noqa: S608
        )
        row = cur.fetchone()
    built, org = fastsql.build(RoleGrant, row[:n]), fastsql.build(Org, row[n:])
    assert (built.pk, built.role, built.can_reveal, built.granted_at, built.revoked_at) == (grant.pk, "cadre", True, grant.granted_at, None)
    assert built.granted_at.tzinfo is not None and built._state.adding is False
    assert (org.pk, org.path, org.name, org.established_on) == (city.pk, city.path, "合肥市总工会", city.established_on)
