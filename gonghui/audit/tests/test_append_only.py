from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.audit import services as audit
from gonghui.audit.models import AuditEvent


@pytest.fixture
def event(db) -> AuditEvent:
    return audit.record(actor=None, action="test.event", data={"k": 1})


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_trigger_refuses_raw_update_and_delete(event, sql) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql, [event.pk])
    event.refresh_from_db()
    assert (event.action, AuditEvent.objects.count()) == ("test.event", 1)


def test_the_orm_cannot_update_or_delete_either(event) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get().action == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_the_trigger_refuses_truncate_on_postgresql(event) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_audit_rows_hold_no_plain_personal_data(world) -> None:
    from gonghui.people import services

    p = world.people["own"]
    services.person_update(actor=world.users["cadre"], person=p, data={"name": "改名后", "phone": "13600002222"})
    e = AuditEvent.objects.filter(action="people.update").get()
    assert e.data == {"fields": ["name", "phone"]}
    text = " ".join(str(v) for v in AuditEvent.objects.values_list("data", "target_type", "org_path"))
    for secret in ("改名后", "13600002222", p.id_number(), "own人员"):
        assert secret not in text
