"""Random sequences of submissions, approvals, rejections, withdrawals and reversals keep the
ledger's invariants after every step (concurrent attempts: see test_concurrency.py)."""

from __future__ import annotations

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.lib.errors import ServiceError
from gonghui.money import queries, services
from gonghui.money.models import Application, Envelope, LedgerEntry, SubjectTotal

ops = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(1, 3), st.integers(1, 4_000_000)),
        st.tuples(st.sampled_from(["approve", "reject", "withdraw", "reverse"]), st.integers(0, 30), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)
APPROVERS = ("org_admin", "prov_admin", "nat_admin", "fed_admin")


def check_invariants(money, seen_entries: list[tuple]) -> list[tuple]:  # type: ignore[no-untyped-def]
    assert queries.unbalanced_transactions() == []
    assert queries.envelope_differences() == []
    env = Envelope.objects.get(pk=money.envelope.pk)
    spent = sum(Application.objects.filter(envelope=env, status__in=["approved", "paid"]).values_list("amount", flat=True))
    assert env.committed == spent <= env.funded
    for t in SubjectTotal.objects.all():
        assert t.total == queries.subject_cumulative(subject_kind=t.subject_kind, subject_id=t.subject_id, programme_id=t.programme_id, year=t.year)
    for app in Application.objects.filter(status="approved", cumulative__gt=2_000_000):
        assert app.steps.filter(level="province", decision="approved").exists()
    entries = list(LedgerEntry.objects.order_by("pk").values_list("pk", "transaction_id", "account_id", "amount", "subject_id"))
    assert entries[: len(seen_entries)] == seen_entries  # nothing earlier changed or vanished
    return entries


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=ops)
def test_random_sequences_keep_the_ledger_invariants(money, steps) -> None:
    with transaction.atomic():
        seen: list[tuple] = check_invariants(money, [])
        apps: list[Application] = []
        for op, a, b in steps:
            try:
                if op == "submit":
                    apps.append(money.submit(b, subject_id=a))
                elif apps:
                    app = apps[a % len(apps)]
                    app.refresh_from_db()
                    if op == "approve":
                        for who in APPROVERS:
                            try:
                                services.application_approve(actor=money.users[who], application=app)
                                break
                            except ServiceError as e:
                                if e.code != "forbidden":
                                    raise
                    elif op == "reject":
                        services.application_reject(actor=money.users["fed_admin"], application=app, reason="不符合")
                    elif op == "withdraw":
                        services.application_withdraw(actor=money.users["cadre"], application=app)
                    else:
                        services.application_reverse(actor=money.users["org_admin"], application=app, reason="更正")
            except ServiceError as e:
                assert e.code in {"wrong_state", "overspent", "forbidden", "over_cap"}, e.message
            seen = check_invariants(money, seen)
        transaction.set_rollback(True)
