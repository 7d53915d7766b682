from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gonghui.lib.errors import ServiceError
from gonghui.money import services
from gonghui.money.models import Envelope, LedgerTransaction


def test_funding_posts_a_transaction_and_moves_the_running_totals(money) -> None:
    env = money.envelope
    assert (env.funded, env.committed, env.remaining) == (10_000_000, 0, 10_000_000)
    txn = LedgerTransaction.objects.get(kind="funding")
    assert sorted(txn.entries.values_list("account__code", "amount")) == sorted(
        [(f"ORG-{money.w.city_a1.pk}-CASH", 10_000_000), (f"ENV-2026-{money.w.city_a1.pk}-test-FUND", -10_000_000)]
    )


def test_setting_up_and_funding_an_envelope_needs_manage(money) -> None:
    with pytest.raises(ServiceError, match="无权") as e:
        services.envelope_fund(actor=money.users["cadre"], envelope=money.envelope, amount=100)
    assert e.value.code == "forbidden"
    with pytest.raises(ServiceError, match="无权"):
        services.envelope_create(actor=money.users["other_admin"], programme=money.programme, org=money.w.unit_a1, year=2026)
    with pytest.raises(ServiceError, match="预算已存在") as e:
        services.envelope_create(actor=money.users["org_admin"], programme=money.programme, org=money.w.city_a1, year=2026)
    assert e.value.field == "programme"


def test_a_funding_reversal_cannot_take_back_committed_money(money) -> None:
    app = money.submit(3_000_000)
    for who in ("org_admin", "prov_admin"):
        services.application_approve(actor=money.users[who], application=app)
    funding = LedgerTransaction.objects.get(kind="funding")
    before = LedgerTransaction.objects.count()
    with pytest.raises(ServiceError, match="预算余额不足"):
        services.envelope_fund_reverse(actor=money.users["org_admin"], txn=funding, reason="拨错了")
    assert LedgerTransaction.objects.count() == before
    services.application_reverse(actor=money.users["org_admin"], application=app, reason="撤销")
    services.envelope_fund_reverse(actor=money.users["org_admin"], txn=funding, reason="拨错了")
    money.envelope.refresh_from_db()
    assert (money.envelope.funded, money.envelope.committed, money.envelope.remaining) == (0, 0, 0)


def test_reconcile_passes_on_a_clean_ledger(money, capsys) -> None:
    app = money.submit(500_000)
    services.application_approve(actor=money.users["org_admin"], application=app)
    call_command("reconcile_envelopes")
    call_command("check_ledger")
    assert capsys.readouterr().out == "envelopes reconciled: running totals equal the ledger\nledger balanced: every transaction sums to zero\n"


def test_reconcile_detects_a_tampered_running_total(money, capsys) -> None:
    with connection.cursor() as c:  # the envelope table is a cache, not append-only
        c.execute("UPDATE money_envelope SET funded = funded + 100, remaining = remaining + 100 WHERE id = %s", [money.envelope.pk])
    with pytest.raises(CommandError, match="2 difference"):
        call_command("reconcile_envelopes")
    assert capsys.readouterr().err.splitlines() == [
        f"envelope {money.envelope.pk} funded: running ¥100,001.00 != ledger ¥100,000.00",
        f"envelope {money.envelope.pk} remaining: running ¥100,001.00 != ledger ¥100,000.00",
    ]


def test_the_database_refuses_an_overspent_or_inconsistent_envelope_row(money) -> None:
    from django.db import IntegrityError, transaction

    for sql in (
        "UPDATE money_envelope SET committed = funded + 1, remaining = -1 WHERE id = %s",
        "UPDATE money_envelope SET remaining = remaining + 1 WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [money.envelope.pk])
    assert Envelope.objects.get().remaining == 10_000_000
