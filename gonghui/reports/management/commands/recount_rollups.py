"""Rebuild the attendance rollups from the raw check-ins and walk-ins, or (``--verify``) only
report where they differ. Exit status 1 when ``--verify`` finds a difference."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from gonghui.reports import rebuild


class Command(BaseCommand):
    help = "从原始签到与散客记录重算统计汇总表（--verify：只核对并列出差异）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--verify", action="store_true", help="只核对，不改写")

    def handle(self, *args: Any, verify: bool = False, **options: Any) -> None:
        if verify:
            diffs = rebuild.differences()
            for d in diffs:
                self.stdout.write(d)
            self.stdout.write(f"differences: {len(diffs)}")
            if diffs:
                sys.exit(1)
            return
        counts = rebuild.rebuild()
        self.stdout.write(
            f"rebuilt: attendance rows {counts['attendance']}, walk-in rows {counts['walkins']}, person-month rows {counts['people']}, person-year rows {counts['people_years']}"
        )
