"""Prove every envelope's running totals equal the ledger; exit non-zero listing each difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gonghui.lib.money import yuan
from gonghui.money import queries


class Command(BaseCommand):
    help = "核对每个预算的累计数与分类账是否一致"

    def handle(self, *args: Any, **options: Any) -> None:
        diffs = queries.envelope_differences()
        for d in diffs:
            self.stderr.write(f"envelope {d.envelope_id} {d.field}: running {yuan(d.running)} != ledger {yuan(d.ledger)}")
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) between envelope running totals and the ledger")
        self.stdout.write("envelopes reconciled: running totals equal the ledger")
