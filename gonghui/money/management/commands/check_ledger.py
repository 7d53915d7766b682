"""Prove every ledger transaction has at least two entries summing to zero; exit non-zero otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.money import queries


class Command(BaseCommand):
    help = "核对每笔记账借贷平衡"

    def handle(self, *args: Any, **options: Any) -> None:
        bad = queries.unbalanced_transactions()
        for txn_id, total, n in bad:
            self.stderr.write(f"transaction {txn_id}: {n} entries summing to {total} fen")
        if bad:
            raise CommandError(f"{len(bad)} unbalanced transaction(s)")
        self.stdout.write("ledger balanced: every transaction sums to zero")
