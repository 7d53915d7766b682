"""Reads of the money engine: what a user may see, and the proofs that the ledger holds together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from gonghui.orgs import policy

from .models import Application, Envelope, LedgerEntry, LedgerTransaction


def envelopes_visible_to(user: Any) -> QuerySet[Envelope]:
    return Envelope.objects.filter(policy.scope_q(user, "view", field="org_path")).select_related("programme", "org")


def applications_visible_to(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(policy.scope_q(user, "view", field="org_path")).select_related("programme", "org", "envelope")


def subject_cumulative(*, subject_kind: str, subject_id: int, programme_id: int, year: int) -> int:
    """Amount requested or approved for a subject × programme × year, straight from the applications."""
    total = Application.objects.filter(
        subject_kind=subject_kind, subject_id=subject_id, programme_id=programme_id, year=year, status__in=Application.COUNTED
    ).aggregate(s=Sum("amount"))["s"]
    return int(total or 0)


def unbalanced_transactions() -> list[tuple[int, int, int]]:
    """(transaction id, entry sum, entry count) of every transaction not summing to zero or with < 2 entries."""
    sums = LedgerEntry.objects.values("transaction_id").annotate(s=Sum("amount"), n=Count("id")).order_by("transaction_id")
    bad = [(r["transaction_id"], int(r["s"]), r["n"]) for r in sums if r["s"] != 0 or r["n"] < 2]
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    return sorted(bad + [(pk, 0, 0) for pk in empty])


@dataclass(frozen=True)
class EnvelopeDifference:
    envelope_id: int
    field: str
    running: int
    ledger: int


def envelope_ledger_totals() -> dict[int, tuple[int, int]]:
    """envelope id → (funded, committed) computed from the entries on its two accounts."""
    sums = dict(LedgerEntry.objects.values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    return {
        e.pk: (-int(sums.get(e.fund_account_id) or 0), int(sums.get(e.expense_account_id) or 0))
        for e in Envelope.objects.only("pk", "fund_account_id", "expense_account_id")
    }


def envelope_differences() -> list[EnvelopeDifference]:
    totals = envelope_ledger_totals()
    out: list[EnvelopeDifference] = []
    for env in Envelope.objects.order_by("pk"):
        funded, committed = totals[env.pk]
        for field, running, expected in (
            ("funded", env.funded, funded),
            ("committed", env.committed, committed),
            ("remaining", env.remaining, funded - committed),
        ):
            if running != expected:
                out.append(EnvelopeDifference(env.pk, field, running, expected))
    return out
