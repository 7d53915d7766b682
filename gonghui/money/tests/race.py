"""16 approvals at once against an envelope that can afford 10, shared by the two variants in
test_concurrency.py: in the test process on PostgreSQL, and in a subprocess on a SQLite file
(the project's settings: WAL, BEGIN IMMEDIATE, busy_timeout) on SQLite.

    SQLITE_PATH=<migrated file> python -c "import django; django.setup(); from gonghui.money.tests import race; race.main()"

prints the outcome as JSON.

Each approver is a thread with its own database connection, released together by a barrier; the
guarded UPDATE of the envelope row decides who gets the money.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.db import connections

from gonghui.lib.errors import ServiceError
from gonghui.money import queries, services
from gonghui.money.models import Application, ApplicationEvent, ApprovalStep, Envelope, LedgerEntry, LedgerTransaction, Programme

AMOUNT = 100_000  # ¥1,000 each
APPROVERS = 16
AFFORDABLE = 10

# What a correct engine leaves behind, whatever the interleaving.
EXPECTED: dict[str, Any] = {
    "approved_calls": AFFORDABLE,
    "refused_codes": ["overspent"] * (APPROVERS - AFFORDABLE),
    "unexpected_errors": [],
    "envelope": [AFFORDABLE * AMOUNT, AFFORDABLE * AMOUNT, 0],  # funded, committed, remaining
    "statuses": {"approved": AFFORDABLE, "pending": APPROVERS - AFFORDABLE},
    "approved_ids_match_calls": True,
    "approval_transactions": AFFORDABLE,
    "approval_entries": 2 * AFFORDABLE,
    "approval_txn_links": AFFORDABLE,  # applications pointing at their posting
    "steps": {"approved": AFFORDABLE, "pending": APPROVERS - AFFORDABLE},
    "approve_events": AFFORDABLE,
    "approve_audit_rows": AFFORDABLE,
    "post_audit_rows": AFFORDABLE + 1,  # + the funding
    "envelope_differences": [],
    "unbalanced_transactions": [],
}


def setup_16(*, city: Any, unit: Any) -> tuple[Envelope, list[Application], Any]:
    """An envelope at ``city`` funded for 10 applications and 16 pending ones from ``unit``, each
    below every threshold (one approval step). Returns the approver: an admin who made none."""
    from tests.factories import make_user

    admin = make_user("race_admin", "org_admin", org=city)
    cadre = make_user("race_cadre", "cadre", org=city)
    programme = Programme.objects.create(code="conc", name="并发测试")
    env = services.envelope_create(actor=admin, programme=programme, org=city, year=2026)
    services.envelope_fund(actor=admin, envelope=env, amount=AFFORDABLE * AMOUNT)
    apps = [
        services.application_submit(actor=cadre, org=unit, envelope=env, subject_kind="hardship.file", subject_id=i, amount=AMOUNT)
        for i in range(1, APPROVERS + 1)
    ]
    return env, apps, make_user("race_approver", "org_admin", org=city)


def approve_all_at_once(apps: list[Application], approver: Any) -> tuple[list[int], list[str], list[str]]:
    """One thread per application, all released at once. Returns the ids approved, the codes of
    the service's refusals, and anything else raised (a database error is a failure: a file
    database must wait for its write lock, not refuse)."""
    barrier = threading.Barrier(len(apps))
    ok: list[int] = []
    refused: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(app: Application) -> None:
        try:
            barrier.wait()
            services.application_approve(actor=approver, application=app)
            with lock:
                ok.append(app.pk)
        except ServiceError as e:
            with lock:
                refused.append(e.code)
        except Exception as e:  # reported to the test, which fails on any
            with lock:
                errors.append(repr(e))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, refused, errors


def outcome(env: Envelope, ok: list[int], refused: list[str], errors: list[str]) -> dict[str, Any]:
    """Everything the race left in the database, in the shape of ``EXPECTED``."""
    from gonghui.audit.models import AuditEvent

    env.refresh_from_db()
    apps = Application.objects.filter(envelope=env)
    approval_txns = LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.APPROVAL)
    steps = ApprovalStep.objects.filter(application__envelope=env)
    return {
        "approved_calls": len(ok),
        "refused_codes": sorted(refused),
        "unexpected_errors": errors,
        "envelope": [env.funded, env.committed, env.remaining],
        "statuses": {s: apps.filter(status=s).count() for s in ("approved", "pending")},
        "approved_ids_match_calls": sorted(apps.filter(status="approved").values_list("pk", flat=True)) == sorted(ok),
        "approval_transactions": approval_txns.count(),
        "approval_entries": LedgerEntry.objects.filter(transaction__in=approval_txns).count(),
        "approval_txn_links": apps.filter(approval_txn__isnull=False).count(),
        "steps": {d: steps.filter(decision=d).count() for d in ("approved", "pending")},
        "approve_events": ApplicationEvent.objects.filter(application__envelope=env, action="approve").count(),
        "approve_audit_rows": AuditEvent.objects.filter(action="money.application_approve").count(),
        "post_audit_rows": AuditEvent.objects.filter(action="money.post").count(),
        "envelope_differences": [vars(d) for d in queries.envelope_differences()],
        "unbalanced_transactions": queries.unbalanced_transactions(),
    }


def main() -> None:
    """The SQLite variant's subprocess: a small tree, the race, the outcome as one JSON line."""
    from tests.factories import L, make_org

    root = make_org(None, "中华全国总工会", L.NATIONAL, region="110000")
    city = make_org(make_org(root, "安徽省总工会", L.PROVINCE, region="340000"), "合肥市总工会", L.PREFECTURE)
    env, apps, approver = setup_16(city=city, unit=make_org(city, "合肥甲公司工会", L.GRASSROOTS))
    connections.close_all()  # the threads open their own
    print(json.dumps(outcome(env, *approve_all_at_once(apps, approver)), ensure_ascii=False))
