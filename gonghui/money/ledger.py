"""The ledger's two writes: ``post`` a balanced transaction, ``transaction_reverse`` one.

``post`` is the only code that inserts entries and the only code that changes an envelope's
running totals: for each envelope whose accounts the entries touch, one conditional UPDATE
(``... WHERE id = %s AND remaining + delta >= 0``) in the same database transaction. When the
UPDATE matches no row the budget cannot afford it and the whole posting is rolled back. On
PostgreSQL concurrent UPDATEs of one envelope row queue on its row lock and re-check the WHERE
against the committed value, so no interleaving can overspend; on SQLite the write lock taken at
BEGIN (IMMEDIATE) serializes them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.lib.money import yuan
from gonghui.orgs.models import Org

from .models import Account, Envelope, LedgerEntry, LedgerTransaction

# Reversals of these kinds change a domain record too; they go through its service.
DOMAIN_KINDS = frozenset({LedgerTransaction.Kind.APPROVAL, LedgerTransaction.Kind.DISBURSEMENT})


@dataclass(frozen=True)
class Line:
    account: Account
    amount: int  # fen; debit > 0, credit < 0
    subject_kind: str = ""
    subject_id: int | None = None


class Overspent(ServiceError):
    def __init__(self, envelope: Envelope, needed: int) -> None:
        super().__init__(_("预算余额不足：本次需要%(needed)s，该预算已不足以支付") % {"needed": yuan(needed)}, field="amount", code="overspent")
        self.envelope = envelope


def _check_lines(lines: list[Line]) -> None:
    if len(lines) < 2:
        raise ServiceError(_("一笔记账至少需要两条分录"), field="lines", code="unbalanced")
    for line in lines:
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            raise ServiceError(_("分录金额必须是以分为单位的整数"), field="amount", code="not_fen")
        if line.amount == 0:
            raise ServiceError(_("分录金额不能为零"), field="amount")
        if line.account.pk is None:
            raise ServiceError(_("分录科目不存在"), field="account")
        if bool(line.subject_kind) != (line.subject_id is not None):
            raise ServiceError(_("分录对象须同时给出类型和编号"), field="subject")
    total = sum(line.amount for line in lines)
    if total != 0:
        raise ServiceError(_("借贷不平衡：分录合计为%(total)s，应为零") % {"total": yuan(total)}, field="lines", code="unbalanced")


@transaction.atomic
def post(*, actor: Any, kind: str, org: Org, lines: list[Line], memo: str = "", reversal_of: LedgerTransaction | None = None) -> LedgerTransaction:
    _check_lines(lines)
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                kind=kind, memo=memo[:200], created_by=actor if getattr(actor, "pk", None) else None,
                created_at=timezone.now(), reversal_of=reversal_of, org=org, org_path=org.path,
            )  # fmt: skip
    except IntegrityError:
        # Only reversal_of is unique here: a concurrent reversal got in first.
        raise ServiceError(_("该笔记账已冲正过，不能重复冲正"), field="txn", code="already_reversed") from None
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(transaction=txn, account=line.account, amount=line.amount, subject_kind=line.subject_kind, subject_id=line.subject_id)
            for line in lines
        ]
    )
    _apply_to_envelopes(lines)
    audit.record(
        actor=actor,
        action="money.post",
        target=txn,
        org=org,
        data={"kind": kind, "lines": len(lines), "reversal_of": getattr(reversal_of, "pk", None)},
    )
    return txn


def _apply_to_envelopes(lines: list[Line]) -> None:
    ids = {line.account.pk for line in lines}
    envelopes = list(Envelope.objects.filter(fund_account_id__in=ids) | Envelope.objects.filter(expense_account_id__in=ids))
    if not envelopes:
        return
    by_fund = {e.fund_account_id: e for e in envelopes}
    by_expense = {e.expense_account_id: e for e in envelopes}
    funded: dict[int, int] = defaultdict(int)
    committed: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.account.pk in by_fund:
            funded[by_fund[line.account.pk].pk] -= line.amount  # a fund account is credited when funded
        if line.account.pk in by_expense:
            committed[by_expense[line.account.pk].pk] += line.amount
    for env in sorted(envelopes, key=lambda e: e.pk):  # a fixed order: no deadlock between two envelopes
        df, dc = funded[env.pk], committed[env.pk]
        delta = df - dc
        rows = Envelope.objects.filter(pk=env.pk, remaining__gte=-delta, committed__gte=-dc).update(
            funded=F("funded") + df, committed=F("committed") + dc, remaining=F("remaining") + delta
        )
        if rows != 1:
            raise Overspent(env, -delta)


@transaction.atomic
def transaction_reverse(*, actor: Any, txn: LedgerTransaction, reason: str, _domain: bool = False) -> LedgerTransaction:
    """Post the mirror of ``txn``. A transaction is reversed at most once; a reversal is never reversed."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("请填写冲正原因"), field="reason")
    if txn.kind == LedgerTransaction.Kind.REVERSAL or txn.reversal_of_id is not None:
        raise ServiceError(_("冲正记录不能再被冲正；如需更正请重新记账"), field="txn", code="reverse_reversal")
    if txn.kind in DOMAIN_KINDS and not _domain:
        raise ServiceError(_("审批和发放的记账须通过撤销审批办理"), field="txn", code="domain_owned")
    if LedgerTransaction.objects.filter(reversal_of=txn).exists():
        raise ServiceError(_("该笔记账已冲正过，不能重复冲正"), field="txn", code="already_reversed")
    entries = list(txn.entries.select_related("account"))
    lines = [Line(e.account, -e.amount, e.subject_kind, e.subject_id) for e in entries]
    org = Org.objects.get(pk=txn.org_id)
    rev = post(actor=actor, kind=LedgerTransaction.Kind.REVERSAL, org=org, lines=lines, memo=f"冲正#{txn.pk}", reversal_of=txn)
    audit.record(actor=actor, action="money.reverse", target=rev, org=org, data={"txn": txn.pk, "reason": reason[:200]})
    return rev
