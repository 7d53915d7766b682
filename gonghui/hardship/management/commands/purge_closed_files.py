"""Purge the personal data of files closed more than ten years ago (periodic; safe to repeat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from gonghui.hardship import purge


class Command(BaseCommand):
    help = "清除撤档满10年的困难职工档案中的个人信息（家庭成员、银行账号、意外事件、走访记录内容）；事件、资金和审计记录保留"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计到期档案，不清除")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["dry_run"]:
            n = purge.due(today).count()
            self.stdout.write(f"撤档日期早于{purge.cutoff(today):%Y-%m-%d}的到期档案：{n}份（未清除）")
            return
        r = purge.purge_closed(today=today)
        self.stdout.write(
            f"已清除撤档日期早于{purge.cutoff(today):%Y-%m-%d}的档案{r.files}份：删除家庭成员{r.members}人、比对登记{r.claims}条，清空走访记录{r.visits}条"
        )
