from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from gonghui.audit.models import AuditEvent
from gonghui.lib.errors import ServiceError
from gonghui.money import ledger, services
from gonghui.money.ledger import Line
from gonghui.money.models import Account, LedgerEntry, LedgerTransaction


def counts() -> tuple[int, int, int]:
    return LedgerTransaction.objects.count(), LedgerEntry.objects.count(), AuditEvent.objects.count()


def accounts(world) -> tuple[Account, Account]:
    a = Account.objects.create(code="T-A", name="甲", kind=Account.Kind.ASSET, org=world.city_a1)
    b = Account.objects.create(code="T-B", name="乙", kind=Account.Kind.INCOME, org=world.city_a1)
    return a, b


def test_it_posts_a_balanced_transaction_with_the_orgs_place_at_that_moment(world) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=world.users["org_admin"], kind="funding", org=world.city_a1, lines=[Line(a, 500), Line(b, -300), Line(b, -200)])
    assert (txn.org_id, txn.org_path, txn.created_by_id) == (world.city_a1.pk, world.city_a1.path, world.users["org_admin"].pk)
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-300, -200, 500]


@pytest.mark.parametrize(
    ("amounts", "message"),
    [([500, -499], "借贷不平衡"), ([500], "至少需要两条"), ([500, 0, -500], "不能为零"), ([5.0, -5.0], "整数"), ([True, -1], "整数")],
)
def test_it_refuses_an_unbalanced_or_malformed_transaction_and_writes_nothing(world, amounts, message) -> None:
    a, b = accounts(world)
    before = counts()
    lines = [Line(a if i % 2 == 0 else b, x) for i, x in enumerate(amounts)]
    with pytest.raises(ServiceError, match=message) as e:
        ledger.post(actor=None, kind="funding", org=world.city_a1, lines=lines)
    assert e.value.field in {"lines", "amount"}
    assert counts() == before


@pytest.mark.parametrize("table", ["money_ledgerentry", "money_ledgertransaction"])
@pytest.mark.parametrize("verb", ["UPDATE {t} SET org_path = org_path WHERE id = %s", "DELETE FROM {t} WHERE id = %s"])
def test_the_trigger_refuses_raw_update_and_delete(world, table, verb) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 100), Line(b, -100)])
    entry = txn.entries.first()
    sql = verb.format(t=table)
    if table == "money_ledgerentry":
        sql = sql.replace("org_path = org_path", "amount = 999")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute(sql, [entry.pk if table == "money_ledgerentry" else txn.pk])
    assert (LedgerTransaction.objects.count(), sorted(LedgerEntry.objects.values_list("amount", flat=True))) == (1, [-100, 100])


def test_the_orm_cannot_update_or_delete_ledger_rows(world) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 100), Line(b, -100)])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(transaction=txn).update(amount=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerTransaction.objects.filter(pk=txn.pk).update(memo="x")
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [-100, 100]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
@pytest.mark.parametrize("table", ["money_ledgerentry", "money_ledgertransaction"])
def test_the_trigger_refuses_truncate_on_postgresql(world, table) -> None:
    a, b = accounts(world)
    ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 100), Line(b, -100)])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # Django's FKs are deferred; TRUNCATE refuses pending checks
        c.execute(f"TRUNCATE {table} CASCADE")
    assert LedgerEntry.objects.count() == 2


def test_a_reversal_mirrors_every_entry_and_is_refused_twice(world) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 700, "hardship.file", 5), Line(b, -700, "hardship.file", 5)])
    rev = ledger.transaction_reverse(actor=world.users["org_admin"], txn=txn, reason="录入错误")
    assert (rev.kind, rev.reversal_of_id) == ("reversal", txn.pk)
    assert sorted(rev.entries.values_list("account_id", "amount", "subject_kind", "subject_id")) == sorted(
        [(a.pk, -700, "hardship.file", 5), (b.pk, 700, "hardship.file", 5)]
    )
    before = counts()
    with pytest.raises(ServiceError, match="已冲正过"):
        ledger.transaction_reverse(actor=world.users["org_admin"], txn=txn, reason="再来一次")
    with pytest.raises(ServiceError, match="冲正记录不能再被冲正"):
        ledger.transaction_reverse(actor=world.users["org_admin"], txn=rev, reason="撤销冲正")
    assert counts() == before


def test_the_database_refuses_a_second_reversal_even_past_the_service_check(world) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 100), Line(b, -100)])
    ledger.post(actor=None, kind="reversal", org=world.city_a1, lines=[Line(a, -100), Line(b, 100)], reversal_of=txn)
    with pytest.raises(ServiceError, match="已冲正过"):  # the unique constraint on reversal_of decides
        ledger.post(actor=None, kind="reversal", org=world.city_a1, lines=[Line(a, -100), Line(b, 100)], reversal_of=txn)
    assert LedgerTransaction.objects.filter(reversal_of=txn).count() == 1


def test_a_reversal_needs_a_reason(world) -> None:
    a, b = accounts(world)
    txn = ledger.post(actor=None, kind="funding", org=world.city_a1, lines=[Line(a, 100), Line(b, -100)])
    with pytest.raises(ServiceError, match="冲正原因") as e:
        ledger.transaction_reverse(actor=None, txn=txn, reason="  ")
    assert e.value.field == "reason"


def test_ledger_tables_have_no_personal_data_fields() -> None:
    cols = {m.__name__: sorted(f.name for f in m._meta.get_fields() if hasattr(f, "column")) for m in (LedgerTransaction, LedgerEntry)}
    assert cols == {
        "LedgerTransaction": ["created_at", "created_by", "id", "kind", "memo", "org", "org_path", "reversal_of"],
        "LedgerEntry": ["account", "amount", "id", "subject_id", "subject_kind", "transaction"],
    }


def test_ledger_rows_hold_only_ids_after_a_real_approval(money) -> None:
    p = money.w.people["own"]
    app = money.submit(300_000, subject_id=p.pk)
    services.application_approve(actor=money.users["org_admin"], application=app)
    rows = list(LedgerEntry.objects.values_list("subject_kind", "subject_id", "amount")) + list(
        LedgerTransaction.objects.values_list("memo", "org_path", "kind")
    )
    text = repr(rows)
    for secret in (p.name, p.id_number(), p.id_masked):
        assert secret not in text
    assert ("hardship.file", p.pk, 300_000) in rows
